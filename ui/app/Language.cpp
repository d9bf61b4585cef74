#include "app/Language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace jq::ui {

QStringList availableLanguages() { return {QStringLiteral("en"), QStringLiteral("zh_CN")}; }

QString resolveLanguage(const QString& setting) {
  QString lang = setting.isEmpty() ? QLocale::system().name() : setting;
  if (availableLanguages().contains(lang)) return lang;
  const QString prefix = lang.section('_', 0, 0);
  if (prefix == QLatin1String("zh")) return QStringLiteral("zh_CN");
  return QStringLiteral("en");
}

bool installLanguage(const QString& language) {
  static QTranslator* workbench = nullptr;
  static QTranslator* qt = nullptr;
  for (QTranslator** t : {&workbench, &qt}) {
    if (*t) {
      QCoreApplication::removeTranslator(*t);
      delete *t;
      *t = nullptr;
    }
  }
  const QString lang = resolveLanguage(language);
  workbench = new QTranslator;
  if (!workbench->load(QStringLiteral(":/i18n/jointquant_%1.qm").arg(lang))) {
    delete workbench;
    workbench = nullptr;
    return false;
  }
  QCoreApplication::installTranslator(workbench);
  // Standard buttons (OK, Cancel…) come from Qt's own catalogue when the system has it.
  qt = new QTranslator;
  if (qt->load(QLocale(lang), QStringLiteral("qtbase"), QStringLiteral("_"),
               QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    QCoreApplication::installTranslator(qt);
  else {
    delete qt;
    qt = nullptr;
  }
  return true;
}

}  // namespace jq::ui
