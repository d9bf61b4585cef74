// What every panel needs from the window: the engine, the one job runner, the settings.
#pragma once

namespace jq::ui {

class WorkbenchBackend;
class JobRunner;
class Preferences;

struct PanelContext {
  WorkbenchBackend* backend = nullptr;
  JobRunner* runner = nullptr;
  Preferences* prefs = nullptr;   // may be null (then built-in defaults are used)
};

}  // namespace jq::ui
