#include "plot/ExportDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include "settings/Preferences.h"

namespace jq::ui {

ExportDialog::ExportDialog(const QString& suggestedName, Preferences* prefs, QWidget* parent)
    : QDialog(parent), prefs_(prefs) {
  setWindowTitle(tr("Export Figure"));
  auto* form = new QFormLayout;
  path_ = new QLineEdit(QDir::home().filePath(suggestedName + ".png"));
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse);
  form->addRow(tr("File:"), pathRow);

  format_ = new QComboBox;
  format_->addItem(tr("PNG image"), "png");
  format_->addItem(tr("SVG vector drawing"), "svg");
  format_->addItem(tr("PDF document"), "pdf");
  format_->addItem(tr("CSV data"), "csv");
  connect(format_, &QComboBox::currentIndexChanged, this, [this] {
    QFileInfo fi(path_->text());
    path_->setText(fi.dir().filePath(fi.completeBaseName() + "." + format_->currentData().toString()));
  });
  form->addRow(tr("Format:"), format_);

  width_ = new QSpinBox;
  width_->setRange(100, 20000);
  width_->setSuffix(tr(" px"));
  height_ = new QSpinBox;
  height_->setRange(100, 20000);
  height_->setSuffix(tr(" px"));
  auto* sizeRow = new QHBoxLayout;
  sizeRow->addWidget(width_);
  sizeRow->addWidget(height_);
  form->addRow(tr("Size:"), sizeRow);
  dpi_ = new QSpinBox;
  dpi_->setRange(50, 1200);
  dpi_->setSuffix(tr(" dpi"));
  form->addRow(tr("Resolution:"), dpi_);
  font_ = new QFontComboBox;
  fontSize_ = new QSpinBox;
  fontSize_->setRange(5, 40);
  fontSize_->setSuffix(tr(" pt"));
  auto* fontRow = new QHBoxLayout;
  fontRow->addWidget(font_, 1);
  fontRow->addWidget(fontSize_);
  form->addRow(tr("Font:"), fontRow);

  if (prefs_) {
    width_->setValue(prefs_->exportWidth);
    height_->setValue(prefs_->exportHeight);
    dpi_->setValue(prefs_->exportDpi);
    font_->setCurrentFont(QFont(prefs_->exportFont.get()));
    fontSize_->setValue(prefs_->exportFontSize);
  } else {
    const ExportOptions d;
    width_->setValue(d.pixels.width());
    height_->setValue(d.pixels.height());
    dpi_->setValue(d.dpi);
    font_->setCurrentFont(d.font);
    fontSize_->setValue(d.font.pointSize());
  }

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
}

void ExportDialog::browse() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Export Figure"), path_->text(),
                                                 tr("Figures (*.png *.svg *.pdf);;Data (*.csv)"));
  if (f.isEmpty()) return;
  path_->setText(f);
  const int i = format_->findData(QFileInfo(f).suffix().toLower());
  if (i >= 0) {
    QSignalBlocker block(format_);
    format_->setCurrentIndex(i);
  }
}

QString ExportDialog::path() const { return path_->text(); }

ExportOptions ExportDialog::options() const {
  ExportOptions o;
  o.pixels = QSize(width_->value(), height_->value());
  o.dpi = dpi_->value();
  o.font = font_->currentFont();
  o.font.setPointSize(fontSize_->value());
  return o;
}

void ExportDialog::saveDefaults() {
  if (!prefs_) return;
  prefs_->exportWidth = width_->value();
  prefs_->exportHeight = height_->value();
  prefs_->exportDpi = dpi_->value();
  prefs_->exportFont = font_->currentFont().family();
  prefs_->exportFontSize = fontSize_->value();
}

}  // namespace jq::ui
