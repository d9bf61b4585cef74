// A typed view of one QSettings key, after Tiled's Preference<T>: the key and its default are declared once,
// next to each other, and every reader gets a T instead of a QVariant to convert by hand.
#pragma once

#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace jq::ui {

template <typename T>
class Preference {
 public:
  Preference(QSettings* settings, QString key, T defaultValue)
      : settings_(settings), key_(std::move(key)), default_(std::move(defaultValue)) {}

  // A missing key, or a stored value that cannot be read as T (hand-edited file), yields the default.
  T get() const {
    QVariant v = settings_->value(key_);
    if (!v.isValid() || !v.convert(QMetaType::fromType<T>())) return default_;
    return v.template value<T>();
  }
  void set(const T& value) { settings_->setValue(key_, QVariant::fromValue(value)); }
  void reset() { settings_->remove(key_); }

  operator T() const { return get(); }
  Preference& operator=(const T& value) {
    set(value);
    return *this;
  }

  const QString& key() const { return key_; }
  const T& defaultValue() const { return default_; }

 private:
  QSettings* settings_;
  QString key_;
  T default_;
};

}  // namespace jq::ui
