// The log: every record of the process logged through jq::logMessage (core and UI), newest at the bottom,
// warnings and errors coloured.
#pragma once

#include <QWidget>

class QPlainTextEdit;
class QComboBox;

namespace jq::ui {

class LogBridge;

class LogPanel : public QWidget {
  Q_OBJECT
 public:
  explicit LogPanel(QWidget* parent = nullptr);
  ~LogPanel() override;

  QSize sizeHint() const override { return {600, 110}; }
  QString text() const;
  int lineCount() const;

 public Q_SLOTS:
  void append(int level, const QString& message);
  void clear();

 private:
  QPlainTextEdit* view_;
  QComboBox* level_;
  LogBridge* bridge_;
};

}  // namespace jq::ui
