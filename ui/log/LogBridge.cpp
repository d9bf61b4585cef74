#include "log/LogBridge.h"

#include <QTime>

#include "common/Log.h"

namespace jq::ui {

LogBridge::LogBridge(QObject* parent, int capacity) : QObject(parent), capacity_(std::max(1, capacity)) {
  listenerId_ = jq::addLogListener([this](jq::LogLevel level, const std::string& message) {
    Record r{int(level), QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")), QString::fromStdString(message)};
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      wake = queue_.isEmpty() && dropped_ == 0;
      if (queue_.size() >= capacity_) {
        queue_.removeFirst();
        ++dropped_;
      }
      queue_.push_back(std::move(r));
    }
    if (wake) Q_EMIT pending();
  });
}

LogBridge::~LogBridge() { jq::removeLogListener(listenerId_); }

QVector<LogBridge::Record> LogBridge::take(int* dropped) {
  std::lock_guard<std::mutex> lock(mutex_);
  QVector<Record> out;
  out.swap(queue_);
  if (dropped) *dropped = dropped_;
  dropped_ = 0;
  return out;
}

}  // namespace jq::ui
