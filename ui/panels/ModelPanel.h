// The loaded checkpoint: its config, parameter count, dtype and memory per device; and the models of the Hugging Face
// Hub cache (HF_HUB_CACHE / HF_HOME, as huggingface_hub finds it), to load with a double-click or to download by id.
#pragma once

#include <QWidget>

#include "backend/WorkbenchBackend.h"
#include "panels/PanelContext.h"

class QFormLayout;
class QLabel;
class QProgressBar;
class QTableWidget;
class QTreeWidget;
class QTreeWidgetItem;
class QPushButton;

namespace jq::ui {

class ModelPanel : public QWidget {
  Q_OBJECT
 public:
  // Without a job runner in `ctx` the panel cannot download (the Download button is hidden).
  explicit ModelPanel(const PanelContext& ctx = {}, QWidget* parent = nullptr);

  void setSummary(const ModelSummary& summary);
  void clear();
  bool hasModel() const { return loaded_; }
  // The displayed value of a field (e.g. "hidden size"), for tests: key is the internal field name.
  QString fieldText(const QString& key) const;

  static QString formatCount(int64_t n);    // 1235814400 → "1.24 B"
  static QString formatBytes(uint64_t n);   // 2471628800 → "2.30 GiB"

  // The rows of the Hub cache list (one per cached revision), for tests.
  int hubModelCount() const;
  QString hubCacheDir() const { return hubCacheDir_; }

 public Q_SLOTS:
  // Lists the Hub cache again (HubCache::list() of the cache the environment names now).
  void refreshHubModels();
  // Downloads the checkpoint files of `repoId` ("org/name", optionally "@revision"; `revision` overrides that) into
  // the Hub cache on the job runner, then lists the cache again and selects it. Errors (a gated repo without a
  // token, HF_HUB_OFFLINE, a bad checksum) end the job with the core's message.
  void startDownload(const QString& repoId, const QString& revision = {});
  // Asks for an id and a revision, then startDownload().
  void chooseDownload();

 Q_SIGNALS:
  void openRequested();
  // A cached snapshot folder to load (the window loads it like any checkpoint folder).
  void loadRequested(const QString& dir);
  void message(const QString& text);

 private:
  void fitMemoryTable();
  QLabel* addField(QFormLayout* form, const QString& key, const QString& label);
  QWidget* createHubSection();
  void loadSelectedHubModel();
  void updateHubButtons();
  void onDownloadProgress(const QString& detail, qint64 current, qint64 total);
  void onDownloadFinished();

  bool loaded_ = false;
  QLabel* path_;
  QPushButton* open_;
  QTableWidget* memory_;
  QList<QPair<QString, QLabel*>> fields_;

  PanelContext ctx_;
  QString hubCacheDir_;
  QLabel* hubCacheLabel_ = nullptr;
  QTreeWidget* hubList_ = nullptr;
  QPushButton* hubLoad_ = nullptr;
  QPushButton* hubDownload_ = nullptr;
  QProgressBar* downloadProgress_ = nullptr;
  QPushButton* downloadCancel_ = nullptr;
  bool downloading_ = false;
};

}  // namespace jq::ui
