#include "panels/ModelPanel.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <memory>

#include "hub/HubCache.h"
#include "hub/HubClient.h"
#include "hub/HubSettings.h"
#include "hub/ModelSource.h"
#include "hub/RepoRef.h"
#include "jobs/JobRunner.h"

namespace jq::ui {

namespace {

enum HubColumn { kHubModel, kHubRevision, kHubSize, kHubStatus };
enum HubRole { kSnapshotRole = Qt::UserRole, kCompleteRole };

// What a snapshot lacks to be loaded as a checkpoint: config.json and the safetensors weights (a symlink whose
// blob is gone counts as missing). Empty when it is complete.
QStringList missingCheckpointFiles(const QString& snapshot) {
  const QDir dir(snapshot);
  QStringList missing;
  if (!QFileInfo::exists(dir.filePath("config.json"))) missing << QStringLiteral("config.json");
  if (dir.entryList({QStringLiteral("*.safetensors")}, QDir::Files).isEmpty())
    missing << QStringLiteral("*.safetensors");
  return missing;
}

}  // namespace

ModelPanel::ModelPanel(const PanelContext& ctx, QWidget* parent) : QWidget(parent), ctx_(ctx) {
  auto* layout = new QVBoxLayout(this);
  open_ = new QPushButton(QIcon(":/icons/open-model.svg"), tr("Open Checkpoint Folder…"));
  open_->setToolTip(tr("A folder with config.json and *.safetensors (a Hugging Face Llama checkpoint)"));
  connect(open_, &QPushButton::clicked, this, &ModelPanel::openRequested);
  layout->addWidget(open_);
  path_ = new QLabel;
  path_->setWordWrap(true);
  path_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(path_);

  auto* config = new QGroupBox(tr("Configuration"));
  auto* form = new QFormLayout(config);
  form->setLabelAlignment(Qt::AlignRight);
  addField(form, "architecture", tr("Architecture:"));
  addField(form, "hidden", tr("Hidden size:"));
  addField(form, "intermediate", tr("MLP size:"));
  addField(form, "layers", tr("Layers:"));
  addField(form, "heads", tr("Attention heads:"));
  addField(form, "kvHeads", tr("KV heads:"));
  addField(form, "headDim", tr("Head dimension:"));
  addField(form, "vocab", tr("Vocabulary:"));
  addField(form, "positions", tr("Max positions:"));
  addField(form, "rope", tr("RoPE:"));
  addField(form, "eps", tr("RMSNorm ε:"));
  addField(form, "tied", tr("Tied embeddings:"));
  layout->addWidget(config);

  auto* size = new QGroupBox(tr("Size"));
  auto* sizeForm = new QFormLayout(size);
  sizeForm->setLabelAlignment(Qt::AlignRight);
  addField(sizeForm, "params", tr("Parameters:"));
  addField(sizeForm, "dtype", tr("Data type:"));
  addField(sizeForm, "modules", tr("Inspectable inputs:"));
  memory_ = new QTableWidget(0, 2);
  memory_->setHorizontalHeaderLabels({tr("Device"), tr("Weights")});
  memory_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  memory_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  memory_->setToolTip(tr("Memory the weights need: all of them on one device, or layer by layer (weights stay in "
                         "host memory and one decoder layer at a time goes to the GPU)"));
  memory_->verticalHeader()->hide();
  memory_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  memory_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // Full width: device names such as "cuda, layer by layer" need the room.
  sizeForm->addRow(new QLabel(tr("Memory for the weights:")));
  sizeForm->addRow(memory_);
  layout->addWidget(size);
  layout->addWidget(createHubSection(), 1);
  clear();
  refreshHubModels();
}

QWidget* ModelPanel::createHubSection() {
  auto* hub = new QGroupBox(tr("Hugging Face cache"));
  auto* layout = new QVBoxLayout(hub);
  hubCacheLabel_ = new QLabel;
  hubCacheLabel_->setWordWrap(true);
  hubCacheLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(hubCacheLabel_);

  hubList_ = new QTreeWidget;
  hubList_->setObjectName("hubModels");
  hubList_->setColumnCount(4);
  hubList_->setHeaderLabels({tr("Model"), tr("Revision"), tr("Size"), tr("Checkpoint")});
  hubList_->setRootIsDecorated(false);
  hubList_->setUniformRowHeights(true);
  hubList_->setSelectionMode(QAbstractItemView::SingleSelection);
  hubList_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  hubList_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  hubList_->setToolTip(tr("Models cached by huggingface_hub, transformers or jointquant (HF_HUB_CACHE, else "
                          "HF_HOME/hub). Double-click one to load it."));
  hubList_->setMinimumHeight(110);
  connect(hubList_, &QTreeWidget::itemSelectionChanged, this, &ModelPanel::updateHubButtons);
  connect(hubList_, &QTreeWidget::itemActivated, this, [this] { loadSelectedHubModel(); });
  layout->addWidget(hubList_, 1);

  auto* buttons = new QHBoxLayout;
  hubLoad_ = new QPushButton(tr("Load"));
  hubLoad_->setObjectName("hubLoad");
  hubLoad_->setToolTip(tr("Load the selected snapshot"));
  connect(hubLoad_, &QPushButton::clicked, this, &ModelPanel::loadSelectedHubModel);
  auto* refresh = new QPushButton(tr("Refresh"));
  refresh->setObjectName("hubRefresh");
  refresh->setToolTip(tr("List the cache again"));
  connect(refresh, &QPushButton::clicked, this, &ModelPanel::refreshHubModels);
  hubDownload_ = new QPushButton(tr("Download…"));
  hubDownload_->setObjectName("hubDownload");
  hubDownload_->setToolTip(tr("Fetch a model from the Hugging Face Hub into this cache (resumable, checksums "
                              "verified), as huggingface_hub lays it out"));
  hubDownload_->setVisible(ctx_.runner != nullptr);
  connect(hubDownload_, &QPushButton::clicked, this, &ModelPanel::chooseDownload);
  buttons->addWidget(hubLoad_);
  buttons->addWidget(refresh);
  buttons->addStretch(1);
  buttons->addWidget(hubDownload_);
  layout->addLayout(buttons);

  auto* progressRow = new QHBoxLayout;
  downloadProgress_ = new QProgressBar;
  downloadProgress_->setObjectName("hubDownloadProgress");
  downloadProgress_->setTextVisible(true);
  downloadCancel_ = new QPushButton(QIcon(":/icons/stop.svg"), tr("Cancel"));
  downloadCancel_->setToolTip(tr("Stop the download; the next download of this model resumes it"));
  progressRow->addWidget(downloadProgress_, 1);
  progressRow->addWidget(downloadCancel_);
  layout->addLayout(progressRow);
  downloadProgress_->hide();
  downloadCancel_->hide();
  if (ctx_.runner) {
    connect(downloadCancel_, &QPushButton::clicked, ctx_.runner, &JobRunner::cancel);
    connect(ctx_.runner, &JobRunner::progressChanged, this, [this](const ProgressInfo& info) {
      if (downloading_) onDownloadProgress(info.detail, info.current, info.total);
    });
    connect(ctx_.runner, &JobRunner::finished, this, [this] {
      if (downloading_) onDownloadFinished();
    });
  }
  return hub;
}

int ModelPanel::hubModelCount() const {
  int n = 0;
  for (int i = 0; i < hubList_->topLevelItemCount(); ++i)
    if (!hubList_->topLevelItem(i)->data(0, kSnapshotRole).toString().isEmpty()) ++n;
  return n;
}

void ModelPanel::refreshHubModels() {
  const jq::HubSettings settings = jq::HubSettings::fromEnvironment();
  hubCacheDir_ = QString::fromStdString(settings.cacheDir);
  hubCacheLabel_->setText(settings.offline ? tr("Cache: %1 (HF_HUB_OFFLINE: no downloads)").arg(hubCacheDir_)
                                           : tr("Cache: %1").arg(hubCacheDir_));
  const QString selected = hubList_->currentItem() ? hubList_->currentItem()->data(0, kSnapshotRole).toString()
                                                   : QString();
  hubList_->clear();
  std::vector<jq::CachedRepo> repos;
  try {
    repos = jq::HubCache(settings.cacheDir).list(jq::RepoType::Model);
  } catch (const std::exception& e) {
    Q_EMIT message(tr("Cannot list the Hugging Face cache: %1").arg(QString::fromUtf8(e.what())));
  }
  for (const jq::CachedRepo& repo : repos) {
    for (const jq::CachedRevision& rev : repo.revisions) {
      const QString snapshot = QString::fromStdString(rev.snapshotPath);
      const QString commit = QString::fromStdString(rev.commit);
      QStringList refs;
      for (const auto& r : rev.refs) refs << QString::fromStdString(r);
      const QString shortCommit = commit.left(7);
      const QString revision =
          refs.isEmpty() ? shortCommit : QStringLiteral("%1 (%2)").arg(refs.join(QStringLiteral(", ")), shortCommit);
      const QStringList missing = missingCheckpointFiles(snapshot);
      auto* item = new QTreeWidgetItem(hubList_);
      item->setText(kHubModel, QString::fromStdString(repo.id));
      item->setText(kHubRevision, revision);
      item->setText(kHubSize, formatBytes(rev.sizeBytes));
      item->setTextAlignment(kHubSize, Qt::AlignRight | Qt::AlignVCenter);
      item->setText(kHubStatus,
                    missing.isEmpty() ? tr("complete") : tr("no %1").arg(missing.join(QStringLiteral(", "))));
      item->setData(0, kSnapshotRole, snapshot);
      item->setData(0, kCompleteRole, missing.isEmpty());
      const QString tip =
          tr("%1\ncommit %2\n%3 files, %4").arg(snapshot, commit).arg(rev.files).arg(formatBytes(rev.sizeBytes));
      for (int c = 0; c < hubList_->columnCount(); ++c) item->setToolTip(c, tip);
      if (!missing.isEmpty())
        for (int c = 0; c < hubList_->columnCount(); ++c)
          item->setForeground(c, palette().brush(QPalette::Disabled, QPalette::Text));
      if (snapshot == selected) hubList_->setCurrentItem(item);
    }
  }
  if (repos.empty()) {
    auto* item = new QTreeWidgetItem(hubList_);
    item->setText(kHubModel, tr("No models cached yet."));
    item->setFlags(Qt::NoItemFlags);
    item->setFirstColumnSpanned(true);
  }
  updateHubButtons();
}

void ModelPanel::updateHubButtons() {
  const QTreeWidgetItem* item = hubList_->currentItem();
  hubLoad_->setEnabled(item && item->isSelected() && item->data(0, kCompleteRole).toBool());
  hubDownload_->setEnabled(!downloading_);
}

void ModelPanel::loadSelectedHubModel() {
  const QTreeWidgetItem* item = hubList_->currentItem();
  if (!item || !item->data(0, kCompleteRole).toBool()) return;
  Q_EMIT loadRequested(item->data(0, kSnapshotRole).toString());
}

void ModelPanel::chooseDownload() {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Download from the Hugging Face Hub"));
  auto* form = new QFormLayout(&dialog);
  auto* id = new QLineEdit;
  id->setPlaceholderText(QStringLiteral("org/name"));
  auto* revision = new QLineEdit;
  revision->setPlaceholderText(QStringLiteral("main"));
  form->addRow(tr("Model id:"), id);
  form->addRow(tr("Revision:"), revision);
  auto* note = new QLabel(tr("The checkpoint files (*.json, *.safetensors, tokenizer.model) go into %1. Gated and "
                             "private models need a token: HF_TOKEN, or `huggingface-cli login`.")
                              .arg(hubCacheDir_));
  note->setWordWrap(true);
  form->addRow(note);
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  box->button(QDialogButtonBox::Ok)->setText(tr("Download"));
  connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(box);
  if (dialog.exec() != QDialog::Accepted || id->text().trimmed().isEmpty()) return;
  startDownload(id->text().trimmed(), revision->text().trimmed());
}

void ModelPanel::startDownload(const QString& repoId, const QString& revision) {
  if (!ctx_.runner) return;
  const std::string spec = repoId.toStdString(), rev = revision.toStdString();
  auto snapshot = std::make_shared<std::string>();
  const bool started = ctx_.runner->start(
      tr("Downloading %1").arg(repoId),
      [spec, rev, snapshot](const jq::JobContext& job) {
        const jq::RepoRef ref = jq::RepoRef::parse(spec);
        jq::DownloadOptions options;
        options.revision = rev.empty() ? ref.revision : rev;
        options.include = jq::defaultModelFilePatterns();
        const jq::HubClient client(jq::HubSettings::fromEnvironment());
        *snapshot = client.downloadSnapshot(ref.id, options, job).snapshotPath;
      },
      [this, snapshot, repoId] {
        refreshHubModels();
        for (int i = 0; i < hubList_->topLevelItemCount(); ++i)
          if (hubList_->topLevelItem(i)->data(0, kSnapshotRole).toString() == QString::fromStdString(*snapshot))
            hubList_->setCurrentItem(hubList_->topLevelItem(i));
        Q_EMIT message(tr("Downloaded %1 into the Hugging Face cache").arg(repoId));
      });
  if (!started) {
    Q_EMIT message(tr("Wait for the running job to finish, or cancel it."));
    return;
  }
  downloading_ = true;
  downloadProgress_->setRange(0, 0);
  downloadProgress_->setFormat(tr("Connecting…"));
  downloadProgress_->show();
  downloadCancel_->show();
  updateHubButtons();
}

void ModelPanel::onDownloadProgress(const QString& detail, qint64 current, qint64 total) {
  if (total > 0) {
    downloadProgress_->setRange(0, 1000);
    downloadProgress_->setValue(int(1000.0 * double(current) / double(total)));
  }
  downloadProgress_->setFormat(total > 0 ? tr("%1: %2 of %3").arg(detail, formatBytes(uint64_t(current)),
                                                                  formatBytes(uint64_t(total)))
                                         : detail);
}

void ModelPanel::onDownloadFinished() {
  downloading_ = false;
  downloadProgress_->hide();
  downloadCancel_->hide();
  updateHubButtons();
}

QLabel* ModelPanel::addField(QFormLayout* form, const QString& key, const QString& label) {
  auto* value = new QLabel;
  value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(label, value);
  fields_.append({key, value});
  return value;
}

QString ModelPanel::fieldText(const QString& key) const {
  for (const auto& f : fields_)
    if (f.first == key) return f.second->text();
  return {};
}

QString ModelPanel::formatCount(int64_t n) {
  if (n >= 1000000000LL) return QStringLiteral("%1 B").arg(double(n) / 1e9, 0, 'f', 2);
  if (n >= 1000000LL) return QStringLiteral("%1 M").arg(double(n) / 1e6, 0, 'f', 1);
  if (n >= 1000LL) return QStringLiteral("%1 k").arg(double(n) / 1e3, 0, 'f', 1);
  return QString::number(n);
}

QString ModelPanel::formatBytes(uint64_t n) {
  const double gib = 1024.0 * 1024.0 * 1024.0, mib = 1024.0 * 1024.0;
  if (n >= uint64_t(gib)) return QStringLiteral("%1 GiB").arg(double(n) / gib, 0, 'f', 2);
  if (n >= uint64_t(mib)) return QStringLiteral("%1 MiB").arg(double(n) / mib, 0, 'f', 1);
  return QStringLiteral("%1 KiB").arg(double(n) / 1024.0, 0, 'f', 1);
}

void ModelPanel::clear() {
  loaded_ = false;
  path_->setText(tr("No model loaded."));
  for (auto& f : fields_) f.second->setText(QStringLiteral("—"));
  memory_->setRowCount(0);
  fitMemoryTable();
}

void ModelPanel::fitMemoryTable() {
  // As tall as its rows: one row per device, no empty grid below.
  int h = memory_->horizontalHeader()->height() + 2 * memory_->frameWidth();
  for (int r = 0; r < memory_->rowCount(); ++r) h += memory_->rowHeight(r);
  memory_->setFixedHeight(std::max(h, memory_->horizontalHeader()->height() + 4));
}

void ModelPanel::setSummary(const ModelSummary& m) {
  loaded_ = true;
  path_->setText(QString::fromStdString(m.path));
  auto set = [this](const QString& key, const QString& text) {
    for (auto& f : fields_)
      if (f.first == key) f.second->setText(text);
  };
  set("architecture", QString::fromStdString(m.architecture));
  set("hidden", QString::number(m.hiddenSize));
  set("intermediate", QString::number(m.intermediateSize));
  set("layers", QString::number(m.numLayers));
  set("heads", QString::number(m.numHeads));
  set("kvHeads", QString::number(m.numKvHeads));
  set("headDim", QString::number(m.headDim));
  set("vocab", QString::number(m.vocabSize));
  set("positions", QString::number(m.maxPositions));
  set("rope", m.ropeScaling.empty() ? tr("θ = %1").arg(m.ropeTheta, 0, 'g', 8)
                                    : tr("θ = %1, %2").arg(m.ropeTheta, 0, 'g', 8).arg(QString::fromStdString(m.ropeScaling)));
  set("eps", QString::number(m.rmsNormEps, 'g', 4));
  set("tied", m.tiedEmbeddings ? tr("yes") : tr("no"));
  set("params", tr("%1 (%2)").arg(formatCount(m.parameterCount), QLocale().toString(qlonglong(m.parameterCount))));
  set("dtype", QString::fromStdString(m.dtype));
  QStringList mods;
  for (const auto& s : m.activationModules) mods << QString::fromStdString(s);
  set("modules", mods.join(QStringLiteral(", ")));
  memory_->setRowCount(int(m.memory.size()));
  for (int i = 0; i < int(m.memory.size()); ++i) {
    const DeviceMemory& d = m.memory[size_t(i)];
    const QString device = QString::fromStdString(d.device);
    memory_->setItem(i, 0, new QTableWidgetItem(d.layerByLayer ? tr("%1, layer by layer").arg(device)
                                                               : tr("%1, all layers").arg(device)));
    auto* bytes = new QTableWidgetItem(formatBytes(d.bytes));
    bytes->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    memory_->setItem(i, 1, bytes);
  }
  fitMemoryTable();
}

}  // namespace jq::ui
