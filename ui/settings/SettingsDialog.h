// Edits Preferences: compute device and dtype, calibration defaults, language and theme. Nothing is written
// until OK (accept()); then the values go to Preferences and the caller applies theme/language.
#pragma once

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace jq::ui {

class Preferences;

class SettingsDialog : public QDialog {
  Q_OBJECT
 public:
  explicit SettingsDialog(Preferences& prefs, QWidget* parent = nullptr);

  // Writes the form to the preferences (what OK does).
  void apply();

  // For tests: the editors by name ("device", "dtype", "dataFile", "epochs", "learningRate", "weightBits",
  // "activationBits", "weightQuantizer", "optimizer", "loss", "language", "theme").
  QWidget* editor(const QString& name) const;

 private:
  void load();

  Preferences& prefs_;
  QComboBox* device_;
  QComboBox* dtype_;
  QLineEdit* dataFile_;
  QSpinBox* epochs_;
  QDoubleSpinBox* lr_;
  QSpinBox* weightBits_;
  QSpinBox* activationBits_;
  QComboBox* weightQuantizer_;
  QComboBox* optimizer_;
  QComboBox* loss_;
  QComboBox* language_;
  QComboBox* theme_;
};

}  // namespace jq::ui
