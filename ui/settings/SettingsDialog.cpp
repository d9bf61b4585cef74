#include "settings/SettingsDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include "settings/Preferences.h"

namespace jq::ui {
namespace {

void selectData(QComboBox* c, const QString& v) {
  const int i = c->findData(v);
  c->setCurrentIndex(i >= 0 ? i : 0);
}

}  // namespace

SettingsDialog::SettingsDialog(Preferences& prefs, QWidget* parent) : QDialog(parent), prefs_(prefs) {
  setWindowTitle(tr("Settings"));
  auto* tabs = new QTabWidget;

  auto* compute = new QWidget;
  auto* cf = new QFormLayout(compute);
  device_ = new QComboBox;
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("CUDA GPU"), "cuda");
  cf->addRow(tr("Device:"), device_);
  dtype_ = new QComboBox;
  dtype_->addItem(tr("bfloat16"), "bfloat16");
  dtype_->addItem(tr("float16"), "float16");
  dtype_->addItem(tr("float32"), "float32");
  cf->addRow(tr("Model data type:"), dtype_);
  tabs->addTab(compute, tr("Compute"));

  auto* calib = new QWidget;
  auto* kf = new QFormLayout(calib);
  dataFile_ = new QLineEdit;
  dataFile_->setPlaceholderText(tr("built-in corpus"));
  dataFile_->setToolTip(tr("A text file, or a data set id found in the Hugging Face cache: wikitext2, ptb or c4, "
                           "optionally with a split (e.g. wikitext2:train)"));
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Calibration Text"), dataFile_->text());
    if (!f.isEmpty()) dataFile_->setText(f);
  });
  auto* fileRow = new QHBoxLayout;
  fileRow->addWidget(dataFile_, 1);
  fileRow->addWidget(browse);
  kf->addRow(tr("Calibration data:"), fileRow);
  weightBits_ = new QSpinBox;
  weightBits_->setRange(2, 16);
  kf->addRow(tr("Weight bits:"), weightBits_);
  activationBits_ = new QSpinBox;
  activationBits_->setRange(2, 16);
  kf->addRow(tr("Activation bits:"), activationBits_);
  weightQuantizer_ = new QComboBox;
  weightQuantizer_->addItem(tr("RTN"), "rtn");
  weightQuantizer_->addItem(tr("GPTQ"), "gptq");
  kf->addRow(tr("Weight quantizer:"), weightQuantizer_);
  epochs_ = new QSpinBox;
  epochs_->setRange(1, 1000);
  kf->addRow(tr("Epochs:"), epochs_);
  lr_ = new QDoubleSpinBox;
  lr_->setDecimals(5);
  lr_->setRange(1e-5, 1.0);
  lr_->setSingleStep(1e-4);
  kf->addRow(tr("Learning rate:"), lr_);
  optimizer_ = new QComboBox;
  optimizer_->addItem(tr("SGD (momentum 0.9)"), "sgd");
  optimizer_->addItem(tr("Adam"), "adam");
  kf->addRow(tr("Optimizer:"), optimizer_);
  loss_ = new QComboBox;
  loss_->addItem(tr("Whip"), "whip");
  loss_->addItem(tr("SWD (sliced Wasserstein)"), "swd");
  kf->addRow(tr("Loss:"), loss_);
  auto* restore = new QPushButton(tr("Restore DartQuant Defaults"));
  restore->setToolTip(tr("SGD, learning rate 1.5e-3, 10 epochs, Whip loss, W4A4 with RTN weights"));
  connect(restore, &QPushButton::clicked, this, [this] {
    epochs_->setValue(prefs_.epochs.defaultValue());
    lr_->setValue(prefs_.learningRate.defaultValue());
    weightBits_->setValue(prefs_.weightBits.defaultValue());
    activationBits_->setValue(prefs_.activationBits.defaultValue());
    selectData(weightQuantizer_, prefs_.weightQuantizer.defaultValue());
    selectData(optimizer_, prefs_.optimizer.defaultValue());
    selectData(loss_, prefs_.loss.defaultValue());
  });
  kf->addRow(QString(), restore);
  tabs->addTab(calib, tr("Calibration"));

  auto* look = new QWidget;
  auto* lf = new QFormLayout(look);
  language_ = new QComboBox;
  language_->addItem(tr("System default"), QString());
  language_->addItem(QStringLiteral("English"), "en");
  language_->addItem(QStringLiteral("简体中文"), "zh_CN");
  lf->addRow(tr("Language:"), language_);
  auto* note = new QLabel(tr("A new language applies to windows opened after the change; restart to translate this one."));
  note->setWordWrap(true);
  lf->addRow(QString(), note);
  theme_ = new QComboBox;
  theme_->addItem(tr("Light"), "light");
  theme_->addItem(tr("Dark"), "dark");
  lf->addRow(tr("Theme:"), theme_);
  tabs->addTab(look, tr("Interface"));

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    apply();
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(tabs);
  layout->addWidget(buttons);
  load();
}

void SettingsDialog::load() {
  selectData(device_, prefs_.device);
  selectData(dtype_, prefs_.dtype);
  dataFile_->setText(prefs_.calibrationData);
  epochs_->setValue(prefs_.epochs);
  lr_->setValue(prefs_.learningRate);
  weightBits_->setValue(prefs_.weightBits);
  activationBits_->setValue(prefs_.activationBits);
  selectData(weightQuantizer_, prefs_.weightQuantizer);
  selectData(optimizer_, prefs_.optimizer);
  selectData(loss_, prefs_.loss);
  selectData(language_, prefs_.language);
  selectData(theme_, prefs_.theme);
}

void SettingsDialog::apply() {
  prefs_.device = device_->currentData().toString();
  prefs_.dtype = dtype_->currentData().toString();
  prefs_.calibrationData = dataFile_->text();
  prefs_.epochs = epochs_->value();
  prefs_.learningRate = lr_->value();
  prefs_.weightBits = weightBits_->value();
  prefs_.activationBits = activationBits_->value();
  prefs_.weightQuantizer = weightQuantizer_->currentData().toString();
  prefs_.optimizer = optimizer_->currentData().toString();
  prefs_.loss = loss_->currentData().toString();
  prefs_.language = language_->currentData().toString();
  prefs_.theme = theme_->currentData().toString();
  prefs_.sync();
}

QWidget* SettingsDialog::editor(const QString& name) const {
  const QHash<QString, QWidget*> editors{{"device", device_},
                                         {"dtype", dtype_},
                                         {"dataFile", dataFile_},
                                         {"epochs", epochs_},
                                         {"learningRate", lr_},
                                         {"weightBits", weightBits_},
                                         {"activationBits", activationBits_},
                                         {"weightQuantizer", weightQuantizer_},
                                         {"optimizer", optimizer_},
                                         {"loss", loss_},
                                         {"language", language_},
                                         {"theme", theme_}};
  return editors.value(name);
}

}  // namespace jq::ui
