#include "settings/Preferences.h"

namespace jq::ui {

Preferences::Preferences() : settings_(std::make_unique<QSettings>()) {}

Preferences::Preferences(const QString& iniPath)
    : settings_(std::make_unique<QSettings>(iniPath, QSettings::IniFormat)) {}

CalibrationRequest Preferences::calibrationDefaults() const {
  CalibrationRequest r;
  for (const auto& m : methods.get()) r.methods.push_back(m.toStdString());
  r.weightBits = weightBits;
  r.activationBits = activationBits;
  r.weightQuantizer = weightQuantizer.get().toStdString();
  r.dataFile = calibrationData.get().toStdString();
  r.samples = samples;
  r.seqLen = seqLen;
  r.epochs = epochs;
  r.learningRate = learningRate;
  r.optimizer = optimizer.get().toStdString();
  r.loss = loss.get().toStdString();
  r.device = device.get().toStdString();
  r.seed = uint64_t(std::max(0, seed.get()));
  return r;
}

void Preferences::pushRecent(Preference<QStringList>& list, const QString& path) {
  QStringList l = list.get();
  l.removeAll(path);
  l.prepend(path);
  while (l.size() > kMaxRecent) l.removeLast();
  list.set(l);
}

}  // namespace jq::ui
