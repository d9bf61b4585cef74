#include "panels/LogPanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <QTime>

#include <algorithm>

#include "common/Log.h"
#include "log/LogBridge.h"

namespace jq::ui {

LogPanel::LogPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Show:")));
  level_ = new QComboBox;
  level_->addItem(tr("Debug and above"), int(jq::LogLevel::Debug));
  level_->addItem(tr("Info and above"), int(jq::LogLevel::Info));
  level_->addItem(tr("Warnings and errors"), int(jq::LogLevel::Warn));
  level_->setCurrentIndex(1);
  bar->addWidget(level_);
  bar->addStretch(1);
  auto* clearButton = new QPushButton(tr("Clear"));
  connect(clearButton, &QPushButton::clicked, this, &LogPanel::clear);
  bar->addWidget(clearButton);
  layout->addLayout(bar);
  view_ = new QPlainTextEdit;
  view_->setReadOnly(true);
  view_->setMaximumBlockCount(5000);
  view_->setFont(QFont(QStringLiteral("DejaVu Sans Mono"), 9));
  layout->addWidget(view_);
  bridge_ = new LogBridge(this);
  connect(bridge_, &LogBridge::logged, this, &LogPanel::append, Qt::QueuedConnection);
}

LogPanel::~LogPanel() = default;

void LogPanel::append(int level, const QString& message) {
  if (level < level_->currentData().toInt()) return;
  static const char* names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  const QString text = QStringLiteral("%1 [%2] %3")
                           .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")),
                                QLatin1String(names[std::clamp(level, 0, 6)]), message);
  QString color;
  if (level >= int(jq::LogLevel::Error)) color = QStringLiteral("#d0453a");
  else if (level == int(jq::LogLevel::Warn)) color = QStringLiteral("#c98a00");
  if (color.isEmpty()) view_->appendPlainText(text);
  else view_->appendHtml(QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color, text.toHtmlEscaped()));
}

void LogPanel::clear() { view_->clear(); }

QString LogPanel::text() const { return view_->toPlainText(); }
int LogPanel::lineCount() const { return view_->document()->blockCount(); }

}  // namespace jq::ui
