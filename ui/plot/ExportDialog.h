// Asks where and how to export a figure: file (format from its suffix), pixel size, DPI and font.
#pragma once

#include <QDialog>

#include "plot/PlotExporter.h"

class QComboBox;
class QFontComboBox;
class QLineEdit;
class QSpinBox;

namespace jq::ui {

class Preferences;

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  ExportDialog(const QString& suggestedName, Preferences* prefs, QWidget* parent = nullptr);

  QString path() const;
  ExportOptions options() const;
  // Remembers size, DPI and font as the defaults of the next export.
  void saveDefaults();

 private:
  void browse();

  Preferences* prefs_;
  QLineEdit* path_;
  QComboBox* format_;
  QSpinBox* width_;
  QSpinBox* height_;
  QSpinBox* dpi_;
  QFontComboBox* font_;
  QSpinBox* fontSize_;
};

}  // namespace jq::ui
