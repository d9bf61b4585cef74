// The log: every record of the process logged through jq::logMessage (core and UI), newest at the bottom,
// warnings and errors coloured. Records arrive in batches at most every 100 ms (see LogBridge), so a flood of
// messages from a job costs the UI thread one text update per batch.
#pragma once

#include <QTimer>
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
  void drain();
  QString line(int level, const QString& time, const QString& message) const;

  QPlainTextEdit* view_;
  QComboBox* level_;
  LogBridge* bridge_;
  QTimer drainTimer_;
};

}  // namespace jq::ui
