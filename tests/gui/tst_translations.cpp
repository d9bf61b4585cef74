// Translations: the embedded zh_CN catalogue loads and is used by the window, both .ts files are complete
// (no unfinished, empty or obsolete entries), and they cover every tr() string currently in the sources.
#include <QtTest/QtTest>
#include <QMenuBar>
#include <QXmlStreamReader>

#include <set>

#include "app/Language.h"
#include "app/MainWindow.h"
#include "backend/FakeBackend.h"
#include "settings/Preferences.h"
#include "support/TestData.h"

using namespace jq::ui;

namespace {

struct TsMessage {
  QString context, source, translation;
  bool finished = true;
};

std::vector<TsMessage> parseTs(const QString& path) {
  std::vector<TsMessage> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return out;
  QXmlStreamReader xml(&f);
  QString context;
  TsMessage cur;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement()) {
      const auto name = xml.name();
      if (name == QLatin1String("name")) context = xml.readElementText();
      else if (name == QLatin1String("message")) cur = TsMessage{context, {}, {}, true};
      else if (name == QLatin1String("source")) cur.source = xml.readElementText();
      else if (name == QLatin1String("translation")) {
        const QString type = xml.attributes().value("type").toString();
        cur.finished = type.isEmpty();   // "unfinished", "vanished", "obsolete" all count as not done
        // Plural forms come as <numerusform> children; join them.
        QString text;
        while (!(xml.isEndElement() && xml.name() == QLatin1String("translation")) && !xml.atEnd()) {
          xml.readNext();
          if (xml.isCharacters()) text += xml.text();
        }
        cur.translation = text;
      }
    } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
      out.push_back(cur);
    }
  }
  return xml.hasError() ? std::vector<TsMessage>{} : out;
}

QString tsPath(const QString& lang) {
  return QString::fromStdString(jq::test::sourceDir()) + "/translations/jointquant_" + lang + ".ts";
}

bool hasCjk(const QString& s) {
  for (QChar c : s)
    if (c.unicode() >= 0x4e00 && c.unicode() <= 0x9fff) return true;
  return false;
}

}  // namespace

class TestTranslations : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void zhCatalogueLoadsAndTranslates() {
    QTranslator t;
    QVERIFY(t.load(":/i18n/jointquant_zh_CN.qm"));
    QCOMPARE(t.translate("jq::ui::MainWindow", "&File"), QString::fromUtf8("文件(&F)"));
    QCOMPARE(t.translate("jq::ui::ActivationPanel", "Log scale"), QString::fromUtf8("对数坐标"));
    QVERIFY(QFile::exists(":/i18n/jointquant_en.qm"));
  }

  void windowUsesTheChosenLanguage() {
    QVERIFY(installLanguage("zh_CN"));
    Preferences prefs(QString::fromStdString(jq::test::tempDir()) + "/lang.ini");
    FakeBackend backend;
    MainWindow w(backend, prefs);
    QCOMPARE(w.menuBar()->actions().first()->text(), QString::fromUtf8("文件(&F)"));
    QCOMPARE(w.windowTitle(), QString::fromUtf8("JointQuant 工作台"));
    QVERIFY(installLanguage("en"));
    MainWindow e(backend, prefs);
    QCOMPARE(e.menuBar()->actions().first()->text(), QString("&File"));
    QCOMPARE(resolveLanguage("zh_TW"), QString("zh_CN"));
    QCOMPARE(resolveLanguage("fr_FR"), QString("en"));
  }

  void tsFilesAreComplete_data() {
    QTest::addColumn<QString>("lang");
    QTest::newRow("zh_CN") << "zh_CN";
    QTest::newRow("en") << "en";
  }
  void tsFilesAreComplete() {
    QFETCH(QString, lang);
    const auto messages = parseTs(tsPath(lang));
    QVERIFY2(messages.size() > 100, "the .ts file is missing or does not parse");
    int chinese = 0;
    for (const auto& m : messages) {
      QVERIFY2(m.finished, qPrintable(QString("unfinished: [%1] %2").arg(m.context, m.source)));
      QVERIFY2(!m.translation.trimmed().isEmpty(), qPrintable(QString("empty: [%1] %2").arg(m.context, m.source)));
      // Placeholders must survive translation or arg() would misplace values.
      for (int i = 1; i <= 5; ++i) {
        const QString ph = QString("%%1").arg(i);
        QVERIFY2(m.source.contains(ph) == m.translation.contains(ph),
                 qPrintable(QString("placeholder %1: [%2] %3 → %4").arg(ph, m.context, m.source, m.translation)));
      }
      if (hasCjk(m.translation)) ++chinese;
    }
    if (lang == "zh_CN") {
      // Method names (RTN, GPTQ, QuaRot…) stay as they are; nearly everything else is Chinese.
      QVERIFY2(chinese > int(messages.size() * 8 / 10), qPrintable(QString("%1 of %2").arg(chinese).arg(messages.size())));
    }
  }

  void tsFilesCoverEverySourceString() {
    const QString lupdate = QStringLiteral(JQ_LUPDATE);
    if (!QFile::exists(lupdate)) QSKIP("lupdate is not installed");
    const QString fresh = QString::fromStdString(jq::test::tempDir()) + "/fresh_zh_CN.ts";
    const QString src = QString::fromStdString(jq::test::sourceDir());
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(lupdate, {"-silent", "-locations", "none", src + "/ui", src + "/app/workbench", "-ts", fresh});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    std::set<std::pair<QString, QString>> committed;
    for (const auto& m : parseTs(tsPath("zh_CN"))) committed.insert({m.context, m.source});
    const auto current = parseTs(fresh);
    QVERIFY(!current.empty());
    for (const auto& m : current)
      QVERIFY2(committed.count({m.context, m.source}),
               qPrintable(QString("not in jointquant_zh_CN.ts (run the update_translations target): [%1] %2")
                              .arg(m.context, m.source)));
  }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
