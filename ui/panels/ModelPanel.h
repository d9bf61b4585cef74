// The loaded checkpoint: its config, parameter count, dtype and memory per device.
#pragma once

#include <QWidget>

#include "backend/WorkbenchBackend.h"

class QFormLayout;
class QLabel;
class QTableWidget;
class QPushButton;

namespace jq::ui {

class ModelPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ModelPanel(QWidget* parent = nullptr);

  void setSummary(const ModelSummary& summary);
  void clear();
  bool hasModel() const { return loaded_; }
  // The displayed value of a field (e.g. "hidden size"), for tests: key is the internal field name.
  QString fieldText(const QString& key) const;

  static QString formatCount(int64_t n);    // 1235814400 → "1.24 B"
  static QString formatBytes(uint64_t n);   // 2471628800 → "2.30 GiB"

 Q_SIGNALS:
  void openRequested();

 private:
  void fitMemoryTable();
  QLabel* addField(QFormLayout* form, const QString& key, const QString& label);

  bool loaded_ = false;
  QLabel* path_;
  QPushButton* open_;
  QTableWidget* memory_;
  QList<QPair<QString, QLabel*>> fields_;
};

}  // namespace jq::ui
