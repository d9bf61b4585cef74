// Every persisted setting of the workbench, typed, with its default. One object per application (or per
// test, over its own INI file). Defaults for calibration are DartQuant's published R1 settings (DESIGN.md).
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

#include <memory>

#include "backend/WorkbenchBackend.h"
#include "settings/Preference.h"

namespace jq::ui {

class Preferences {
 public:
  // Native settings of the application (organization/application name of QCoreApplication).
  Preferences();
  // An INI file, for tests and portable installs.
  explicit Preferences(const QString& iniPath);
  Preferences(const Preferences&) = delete;
  Preferences& operator=(const Preferences&) = delete;

  QSettings& settings() { return *settings_; }
  void sync() { settings_->sync(); }

 private:
  std::unique_ptr<QSettings> settings_;

 public:
  // Compute
  Preference<QString> device{settings_.get(), "compute/device", "cpu"};            // "cpu" | "cuda"
  Preference<QString> dtype{settings_.get(), "compute/dtype", "bfloat16"};         // "float32" | "bfloat16" | "float16"
  // Calibration defaults
  Preference<QString> calibrationData{settings_.get(), "calibration/dataFile", QString()};
  Preference<QStringList> methods{settings_.get(), "calibration/methods",
                                  {"fp", "rtn", "quarot", "dartquant", "independent", "joint"}};
  Preference<int> weightBits{settings_.get(), "calibration/weightBits", 4};
  Preference<int> activationBits{settings_.get(), "calibration/activationBits", 4};
  Preference<QString> weightQuantizer{settings_.get(), "calibration/weightQuantizer", "rtn"};
  Preference<int> samples{settings_.get(), "calibration/samples", 128};
  Preference<int> seqLen{settings_.get(), "calibration/seqLen", 2048};
  Preference<int> epochs{settings_.get(), "calibration/epochs", 10};
  Preference<double> learningRate{settings_.get(), "calibration/learningRate", 1.5e-3};
  Preference<QString> optimizer{settings_.get(), "calibration/optimizer", "sgd"};
  Preference<QString> loss{settings_.get(), "calibration/loss", "whip"};
  Preference<int> seed{settings_.get(), "calibration/seed", 0};
  // Interface
  Preference<QString> language{settings_.get(), "ui/language", QString()};   // "" = system, "en", "zh_CN"
  Preference<QString> theme{settings_.get(), "ui/theme", "light"};           // "light" | "dark"
  Preference<QByteArray> windowGeometry{settings_.get(), "ui/geometry", QByteArray()};
  Preference<QByteArray> windowState{settings_.get(), "ui/state", QByteArray()};
  Preference<QStringList> recentModels{settings_.get(), "recent/models", QStringList()};
  Preference<QStringList> recentRuns{settings_.get(), "recent/runs", QStringList()};
  // Figure export
  Preference<int> exportDpi{settings_.get(), "export/dpi", 300};
  Preference<int> exportWidth{settings_.get(), "export/width", 1600};
  Preference<int> exportHeight{settings_.get(), "export/height", 1000};
  Preference<QString> exportFont{settings_.get(), "export/font", "DejaVu Sans"};
  Preference<int> exportFontSize{settings_.get(), "export/fontSize", 10};

  // The calibration request the settings describe (methods, bits, optimizer...); the caller adds the output path.
  CalibrationRequest calibrationDefaults() const;

  static constexpr int kMaxRecent = 8;
  // Moves `path` to the front of a recent list, dropping duplicates and the oldest beyond kMaxRecent.
  static void pushRecent(Preference<QStringList>& list, const QString& path);
};

}  // namespace jq::ui
