// Runs backend calls off the UI thread, one at a time, and turns what they report into signals.
//
// A job is a function of a jq::JobContext executed on a dedicated worker QThread. The worker never touches a
// widget: progress and curve points go into a locked queue that a UI-thread timer drains every `flushIntervalMs`,
// so a backend reporting thousands of points per second costs the event loop one batch per interval instead of
// one queued signal per point. The result is handed back by the job's `onSuccess`, run on the UI thread.
// Exceptions never escape: jq::Error of kind Cancelled ends the job as cancelled, anything else as failed with
// the exception's sentence, which the window shows as a message box.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <QVector>

#include <functional>
#include <memory>
#include <mutex>

#include "common/Job.h"

class QThread;

namespace jq::ui {

struct CurvePoint {
  QString series;
  double step = 0.0;
  double value = 0.0;
};

struct ProgressInfo {
  QString stage;
  QString detail;
  qint64 current = 0;
  qint64 total = 0;
};

class JobRunner : public QObject {
  Q_OBJECT
 public:
  using Work = std::function<void(const jq::JobContext&)>;
  enum class Outcome { Succeeded, Cancelled, Failed };
  Q_ENUM(Outcome)

  explicit JobRunner(QObject* parent = nullptr);
  ~JobRunner() override;   // cancels a running job and waits for the worker to stop

  // Starts `work` on the worker thread. Returns false (and does nothing) while another job runs.
  // `onSuccess` runs on the UI thread after `work` returned normally, before finished() is emitted.
  bool start(const QString& title, Work work, std::function<void()> onSuccess = {});

  bool isBusy() const { return busy_; }
  QString currentTitle() const { return title_; }
  int flushIntervalMs() const { return flushTimer_.interval(); }
  void setFlushIntervalMs(int ms) { flushTimer_.setInterval(ms); }

  // Blocks with a local event loop until the running job ends; for tests and the --screenshot mode only.
  bool waitForIdle(int timeoutMs);

 public Q_SLOTS:
  // Asks the running job to stop; it ends with Outcome::Cancelled as soon as the backend notices.
  void cancel();

 Q_SIGNALS:
  void started(const QString& title);
  void progressChanged(const jq::ui::ProgressInfo& info);
  void curvePoints(const QVector<jq::ui::CurvePoint>& points);
  void finished(const QString& title, jq::ui::JobRunner::Outcome outcome, const QString& message);

 private:
  void flush();
  void onWorkerDone(Outcome outcome, const QString& message, quint64 jobId);

  QThread* thread_ = nullptr;
  QObject* worker_ = nullptr;   // lives in thread_; jobs are queued onto it
  QTimer flushTimer_;
  bool busy_ = false;
  QString title_;
  quint64 jobId_ = 0;
  jq::CancellationToken cancel_;
  std::function<void()> onSuccess_;

  struct Pending {
    std::mutex mutex;
    bool hasProgress = false;
    ProgressInfo progress;
    QVector<CurvePoint> points;
  };
  std::shared_ptr<Pending> pending_;
};

}  // namespace jq::ui

Q_DECLARE_METATYPE(jq::ui::ProgressInfo)
Q_DECLARE_METATYPE(jq::ui::CurvePoint)
