// The workbench's translations, compiled from translations/*.ts into :/i18n/jointquant_<lang>.qm.
#pragma once

#include <QString>
#include <QStringList>

namespace jq::ui {

QStringList availableLanguages();   // {"en", "zh_CN"}
// "" means the system locale; anything without a translation falls back to "en" (the source language).
QString resolveLanguage(const QString& setting);
// Replaces the application's workbench translator (and Qt's own, when installed) with `language`'s.
// Returns false when that language has no translation file (the UI then stays in English).
bool installLanguage(const QString& language);

}  // namespace jq::ui
