// Light and dark look of the workbench: Fusion style with a matching palette. Charts and plots pick their
// theme from the palette (they rebuild on QEvent::PaletteChange), so switching needs no restart.
#pragma once

#include <QString>
#include <QStringList>

namespace jq::ui {

QStringList availableThemes();            // {"light", "dark"}
// Applies to the whole application; unknown names fall back to "light".
void applyTheme(const QString& name);

}  // namespace jq::ui
