// Core log → UI. The core logs from any thread through jq::logMessage (common/Log.h); a LogBridge registers a
// listener there that only appends the record to a locked queue. The UI thread takes the queue in batches
// (take()), so a worker logging thousands of lines a second costs the event loop one batch per interval, not
// one queued signal and one text-layout pass per line; a worker never waits for a widget. No spdlog (and so no
// fmt) header reaches the UI.
#pragma once

#include <QObject>
#include <QString>
#include <QVector>

#include <mutex>

namespace jq::ui {

class LogBridge : public QObject {
  Q_OBJECT
 public:
  struct Record {
    int level = 0;        // jq::LogLevel as int
    QString time;         // "HH:mm:ss.zzz" when it was logged
    QString text;
  };

  // Keeps at most `capacity` records between two take()s; older ones are counted as dropped.
  explicit LogBridge(QObject* parent = nullptr, int capacity = 2000);
  ~LogBridge() override;   // unregisters the listener before the object goes away

  // The records logged since the last call, oldest first, and how many were dropped for lack of room.
  QVector<Record> take(int* dropped = nullptr);

 Q_SIGNALS:
  // Emitted (from the logging thread) when the queue goes from empty to non-empty: one wake-up per batch.
  void pending();

 private:
  int listenerId_ = 0;
  int capacity_;
  std::mutex mutex_;
  QVector<Record> queue_;
  int dropped_ = 0;
};

}  // namespace jq::ui
