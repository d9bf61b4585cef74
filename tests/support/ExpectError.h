// Asserting that a call fails the way a user would be told: with a jq::Error of the right kind whose message
// names the file (or tensor, or option) and says what is wrong.
#pragma once

#include <QtTest/QtTest>

#include <string>

#include "common/Error.h"

namespace jq::test {

// Fails the current test unless f() throws a jq::Error of `kind` whose what() contains `path` and `needle`
// (an empty string is not checked). Records the failure and returns; the calling test goes on.
template <typename F>
void expectError(F&& f, jq::ErrorKind kind, const std::string& path, const std::string& needle) {
  try {
    f();
  } catch (const jq::Error& e) {
    const std::string what = e.what();
    QVERIFY2(e.kind() == kind, qPrintable(QString::fromStdString(std::string("wrong kind (") +
                                                                  jq::toString(e.kind()) + "): " + what)));
    QVERIFY2(what.find(path) != std::string::npos, qPrintable(QString::fromStdString("no path in: " + what)));
    QVERIFY2(what.find(needle) != std::string::npos,
             qPrintable(QString::fromStdString("'" + needle + "' not in: " + what)));
    return;
  }
  QFAIL("expected a jq::Error");
}

}  // namespace jq::test
