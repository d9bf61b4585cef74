// Typed settings: every preference survives a write/read through the INI file, bad values fall back to the
// declared default, and the settings dialog edits exactly what it shows.
#include <QtTest/QtTest>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

#include "settings/Preferences.h"
#include "settings/SettingsDialog.h"
#include "support/TestData.h"

using namespace jq::ui;

class TestSettings : public QObject {
  Q_OBJECT
  QString iniPath(const char* name) { return QString::fromStdString(jq::test::tempDir()) + "/" + name + ".ini"; }

 private Q_SLOTS:
  void defaultsAreDartQuants() {
    Preferences p(iniPath("defaults"));
    const CalibrationRequest r = p.calibrationDefaults();
    // DartQuant calibrate_model.sh R1 settings (DESIGN.md): SGD, lr 1.5e-3, 10 epochs, Whip loss.
    QCOMPARE(r.optimizer, std::string("sgd"));
    QCOMPARE(r.learningRate, 1.5e-3);
    QCOMPARE(r.epochs, 10);
    QCOMPARE(r.loss, std::string("whip"));
    QCOMPARE(r.weightBits, 4);
    QCOMPARE(r.activationBits, 4);
    QCOMPARE(r.samples, 128);
    QCOMPARE(r.seqLen, 2048);
    QCOMPARE(p.theme.get(), QString("light"));
  }

  void roundTrip() {
    const QString path = iniPath("roundtrip");
    {
      Preferences p(path);
      p.device = QString("cuda");
      p.dtype = QString("float16");
      p.calibrationData = QString("/data/wiki.train.raw");
      p.methods = QStringList{"quarot", "joint"};
      p.weightBits = 3;
      p.activationBits = 8;
      p.learningRate = 2.5e-4;
      p.epochs = 7;
      p.language = QString("zh_CN");
      p.theme = QString("dark");
      p.windowState = QByteArray("\x00\x01\xff", 3);
      p.recentModels = QStringList{"/m/one"};
      p.exportDpi = 600;
      p.sync();
    }
    Preferences q(path);
    QCOMPARE(q.device.get(), QString("cuda"));
    QCOMPARE(q.dtype.get(), QString("float16"));
    QCOMPARE(q.calibrationData.get(), QString("/data/wiki.train.raw"));
    QCOMPARE(q.methods.get(), (QStringList{"quarot", "joint"}));
    QCOMPARE(q.weightBits.get(), 3);
    QCOMPARE(q.activationBits.get(), 8);
    QCOMPARE(q.learningRate.get(), 2.5e-4);
    QCOMPARE(q.epochs.get(), 7);
    QCOMPARE(q.language.get(), QString("zh_CN"));
    QCOMPARE(q.theme.get(), QString("dark"));
    QCOMPARE(q.windowState.get(), QByteArray("\x00\x01\xff", 3));
    QCOMPARE(q.recentModels.get(), QStringList{"/m/one"});   // a one-element list stays a list
    QCOMPARE(q.exportDpi.get(), 600);
    const CalibrationRequest r = q.calibrationDefaults();
    QCOMPARE(r.methods, (std::vector<std::string>{"quarot", "joint"}));
    QCOMPARE(r.device, std::string("cuda"));
  }

  void unreadableValueFallsBackToDefault() {
    const QString path = iniPath("bad");
    {
      QSettings raw(path, QSettings::IniFormat);
      raw.setValue("calibration/epochs", "many");
      raw.setValue("calibration/learningRate", "fast");
    }
    Preferences p(path);
    QCOMPARE(p.epochs.get(), 10);
    QCOMPARE(p.learningRate.get(), 1.5e-3);
    p.epochs.reset();
    QVERIFY(!p.settings().contains("calibration/epochs"));
  }

  void recentListsAreBoundedAndDeduplicated() {
    Preferences p(iniPath("recent"));
    for (int i = 0; i < 12; ++i) Preferences::pushRecent(p.recentRuns, QString("/runs/%1").arg(i));
    Preferences::pushRecent(p.recentRuns, "/runs/5");
    const QStringList l = p.recentRuns;
    QCOMPARE(l.size(), Preferences::kMaxRecent);
    QCOMPARE(l.first(), QString("/runs/5"));
    QCOMPARE(l.count("/runs/5"), 1);
    QCOMPARE(l.at(1), QString("/runs/11"));
    QVERIFY(!l.contains("/runs/3"));   // the oldest fell off
  }

  void dialogShowsAndWritesPreferences() {
    const QString path = iniPath("dialog");
    {
      Preferences p(path);
      p.device = QString("cuda");
      p.epochs = 3;
      p.theme = QString("dark");
      SettingsDialog d(p);
      auto* device = qobject_cast<QComboBox*>(d.editor("device"));
      auto* epochs = qobject_cast<QSpinBox*>(d.editor("epochs"));
      auto* theme = qobject_cast<QComboBox*>(d.editor("theme"));
      auto* lr = qobject_cast<QDoubleSpinBox*>(d.editor("learningRate"));
      auto* data = qobject_cast<QLineEdit*>(d.editor("dataFile"));
      auto* language = qobject_cast<QComboBox*>(d.editor("language"));
      QVERIFY(device && epochs && theme && lr && data && language);
      QCOMPARE(device->currentData().toString(), QString("cuda"));
      QCOMPARE(epochs->value(), 3);
      QCOMPARE(theme->currentData().toString(), QString("dark"));
      epochs->setValue(25);
      lr->setValue(0.002);
      data->setText("/corpus.txt");
      language->setCurrentIndex(language->findData("zh_CN"));
      theme->setCurrentIndex(theme->findData("light"));
      d.apply();
    }
    Preferences q(path);
    QCOMPARE(q.epochs.get(), 25);
    QCOMPARE(q.learningRate.get(), 0.002);
    QCOMPARE(q.calibrationData.get(), QString("/corpus.txt"));
    QCOMPARE(q.language.get(), QString("zh_CN"));
    QCOMPARE(q.theme.get(), QString("light"));
    QCOMPARE(q.device.get(), QString("cuda"));   // untouched values stay
  }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
