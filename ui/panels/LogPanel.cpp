#include "panels/LogPanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
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
  drainTimer_.setSingleShot(true);
  drainTimer_.setInterval(100);
  connect(&drainTimer_, &QTimer::timeout, this, &LogPanel::drain);
  // The bridge wakes us once per batch (from any thread); the timer gathers what follows within 100 ms.
  connect(bridge_, &LogBridge::pending, this, [this] {
    if (!drainTimer_.isActive()) drainTimer_.start();
  }, Qt::QueuedConnection);
}

LogPanel::~LogPanel() = default;

QString LogPanel::line(int level, const QString& time, const QString& message) const {
  static const char* names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  const QString text = QStringLiteral("%1 [%2] %3").arg(time, QLatin1String(names[std::clamp(level, 0, 6)]), message);
  QString color;
  if (level >= int(jq::LogLevel::Error)) color = QStringLiteral("#d0453a");
  else if (level == int(jq::LogLevel::Warn)) color = QStringLiteral("#c98a00");
  // One HTML line per record: appendHtml() of a whole batch is one layout pass.
  return color.isEmpty() ? text.toHtmlEscaped()
                         : QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color, text.toHtmlEscaped());
}

void LogPanel::append(int level, const QString& message) {
  if (level < level_->currentData().toInt()) return;
  view_->appendHtml(line(level, QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")), message));
}

void LogPanel::drain() {
  int dropped = 0;
  const auto records = bridge_->take(&dropped);
  const int minLevel = level_->currentData().toInt();
  QStringList lines;
  if (dropped > 0) lines << tr("… %1 older messages were skipped").arg(dropped).toHtmlEscaped();
  for (const auto& r : records)
    if (r.level >= minLevel) lines << line(r.level, r.time, r.text);
  if (lines.isEmpty()) return;
  // One edit block: the document is laid out once for the whole batch, not once per line.
  const QScrollBar* bar = view_->verticalScrollBar();
  const bool atBottom = bar->value() == bar->maximum();
  QTextCursor cursor(view_->document());
  cursor.movePosition(QTextCursor::End);
  cursor.beginEditBlock();
  for (const QString& l : lines) {
    if (!view_->document()->isEmpty()) cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
    cursor.insertHtml(l);
  }
  cursor.endEditBlock();
  if (atBottom) {   // follow the newest line unless the user scrolled up to read
    view_->moveCursor(QTextCursor::End);
    view_->ensureCursorVisible();
  }
}

void LogPanel::clear() { view_->clear(); }

QString LogPanel::text() const { return view_->toPlainText(); }
int LogPanel::lineCount() const { return view_->document()->blockCount(); }

}  // namespace jq::ui
