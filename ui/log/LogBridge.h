// Core log → UI. The core logs from any thread through jq::logMessage (common/Log.h); a LogBridge registers a
// listener there and re-emits each record as a signal of a QObject living in the UI thread, so a receiver
// connected with Qt::QueuedConnection (the log panel) is only ever touched by the UI thread and a worker never
// waits for a widget. No spdlog (and so no fmt) header reaches the UI.
#pragma once

#include <QObject>
#include <QString>

namespace jq::ui {

class LogBridge : public QObject {
  Q_OBJECT
 public:
  explicit LogBridge(QObject* parent = nullptr);
  ~LogBridge() override;   // unregisters the listener before the object goes away

 Q_SIGNALS:
  // level: jq::LogLevel as int. Emitted on the thread that logged.
  void logged(int level, const QString& text);

 private:
  int listenerId_ = 0;
};

}  // namespace jq::ui
