#include "log/LogBridge.h"

#include "common/Log.h"

namespace jq::ui {

LogBridge::LogBridge(QObject* parent) : QObject(parent) {
  listenerId_ = jq::addLogListener([this](jq::LogLevel level, const std::string& message) {
    Q_EMIT logged(int(level), QString::fromStdString(message));
  });
}

LogBridge::~LogBridge() { jq::removeLogListener(listenerId_); }

}  // namespace jq::ui
