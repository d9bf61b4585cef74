#include "jobs/JobRunner.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QThread>

#include <cmath>
#include <exception>

#include "common/Error.h"

namespace jq::ui {

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<jq::ui::ProgressInfo>();
  qRegisterMetaType<jq::ui::CurvePoint>();
  qRegisterMetaType<QVector<jq::ui::CurvePoint>>();
  qRegisterMetaType<jq::ui::JobRunner::Outcome>();
  thread_ = new QThread(this);
  thread_->setObjectName("jq-job-worker");
  worker_ = new QObject;
  worker_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_->start();
  flushTimer_.setInterval(50);
  connect(&flushTimer_, &QTimer::timeout, this, &JobRunner::flush);
}

JobRunner::~JobRunner() {
  cancel_.cancel();
  thread_->requestInterruption();
  thread_->quit();
  thread_->wait();
}

bool JobRunner::start(const QString& title, Work work, std::function<void()> onSuccess) {
  if (busy_) return false;
  busy_ = true;
  title_ = title;
  cancel_ = jq::CancellationToken();
  onSuccess_ = std::move(onSuccess);
  pending_ = std::make_shared<Pending>();
  const quint64 id = ++jobId_;
  flushTimer_.start();
  Q_EMIT started(title);

  auto pending = pending_;
  jq::JobContext ctx;
  ctx.cancel = cancel_;
  ctx.progress = [pending](const jq::ProgressEvent& e) {
    std::lock_guard<std::mutex> lock(pending->mutex);
    if (e.total > 0 || !e.detail.empty()) {
      pending->hasProgress = true;
      pending->progress = {QString::fromStdString(e.stage), QString::fromStdString(e.detail), e.current, e.total};
    }
    if (!e.series.empty() && std::isfinite(e.value))
      pending->points.push_back({QString::fromStdString(e.series), e.step, e.value});
  };

  QMetaObject::invokeMethod(worker_, [this, id, ctx, work = std::move(work)]() {
    Outcome outcome = Outcome::Succeeded;
    QString message;
    try {
      work(ctx);
    } catch (const jq::Error& e) {
      outcome = e.kind() == jq::ErrorKind::Cancelled ? Outcome::Cancelled : Outcome::Failed;
      message = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      outcome = Outcome::Failed;
      message = QString::fromStdString(e.what());
    } catch (...) {
      outcome = Outcome::Failed;
      message = QStringLiteral("unknown error");
    }
    // A cancelled job may still have returned normally (it finished before noticing): report it as cancelled
    // so the UI does not show results the user asked to drop.
    if (outcome == Outcome::Succeeded && ctx.cancel.isCancelled()) outcome = Outcome::Cancelled;
    QMetaObject::invokeMethod(this, [this, outcome, message, id]() { onWorkerDone(outcome, message, id); },
                              Qt::QueuedConnection);
  }, Qt::QueuedConnection);
  return true;
}

void JobRunner::cancel() {
  if (!busy_) return;
  cancel_.cancel();
  thread_->requestInterruption();
}

void JobRunner::flush() {
  if (!pending_) return;
  bool hasProgress = false;
  ProgressInfo progress;
  QVector<CurvePoint> points;
  {
    std::lock_guard<std::mutex> lock(pending_->mutex);
    hasProgress = pending_->hasProgress;
    pending_->hasProgress = false;
    progress = pending_->progress;
    points.swap(pending_->points);
  }
  if (hasProgress) Q_EMIT progressChanged(progress);
  if (!points.isEmpty()) Q_EMIT curvePoints(points);
}

void JobRunner::onWorkerDone(Outcome outcome, const QString& message, quint64 jobId) {
  if (jobId != jobId_) return;
  flush();
  flushTimer_.stop();
  QString text = message;
  if (outcome == Outcome::Succeeded && onSuccess_) {
    try {
      onSuccess_();
    } catch (const std::exception& e) {
      outcome = Outcome::Failed;
      text = QString::fromStdString(e.what());
    }
  }
  onSuccess_ = nullptr;
  busy_ = false;
  const QString title = title_;
  title_.clear();
  Q_EMIT finished(title, outcome, text);
}

bool JobRunner::waitForIdle(int timeoutMs) {
  if (!busy_) return true;
  QEventLoop loop;
  QTimer timeout;
  timeout.setSingleShot(true);
  connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
  connect(this, &JobRunner::finished, &loop, &QEventLoop::quit);
  timeout.start(timeoutMs);
  loop.exec();
  return !busy_;
}

}  // namespace jq::ui
