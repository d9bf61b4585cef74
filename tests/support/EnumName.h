// Comparing jq enums in Qt Test. Never QCOMPARE an enum that has a jq::toString overload (ErrorKind, AttentionImpl,
// CaptureStorage, RotationLoss, ...) directly: to print a failing comparison QTest calls toString(value), found by
// argument-dependent lookup, expects a string it allocated with new[] and deletes it. jq::toString returns static
// text, so a failing QCOMPARE aborts the whole test ("free(): invalid pointer") instead of reporting the values.
// Compare the names:  QCOMPARE(jq::test::enumName(e.kind()), jq::test::enumName(jq::ErrorKind::NotFound));
#pragma once

#include <QString>

namespace jq::test {

template <typename E>
QString enumName(E value) {
  return QString::fromUtf8(toString(value));  // jq::toString, by argument-dependent lookup
}

}  // namespace jq::test
