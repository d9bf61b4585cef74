// Perplexity of the demo model on the held-out demo text against transformers' own loop
// (tests/data/golden/demo_perplexity.json, made by tools/make_demo.py): within 0.1%.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "common/Error.h"
#include "common/Job.h"
#include "data/EvaluationText.h"
#include "eval/PerplexityEvaluator.h"
#include "model/LlamaModel.h"
#include "support/TestData.h"
#include "tokenizer/Tokenizer.h"

class TestPerplexity : public QObject {
  Q_OBJECT
  nlohmann::json golden_;
  std::vector<int64_t> tokens_;

 private Q_SLOTS:
  void initTestCase() {
    golden_ = nlohmann::json::parse(jq::test::readFile(jq::test::testData("golden/demo_perplexity.json")));
    const auto text = jq::loadEvaluationText(jq::test::sourceDir() + "/resources/demo-corpus/test.txt",
                                             jq::DatasetFormat::Text);
    tokens_ = jq::Tokenizer::fromFile(jq::test::demoModelDir() + "/tokenizer.json").encode(text.text);
  }

  void tokenCountMatchesHuggingFace() { QCOMPARE(int64_t(tokens_.size()), golden_["tokens"].get<int64_t>()); }

  void perplexityMatchesTransformers_data() {
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<int>("seqlen");
    QTest::addColumn<int>("batch");
    QTest::newRow("fp32-512") << "float32" << 512 << 4;
    QTest::newRow("fp32-2048") << "float32" << 2048 << 1;
    QTest::newRow("bf16-512") << "bfloat16" << 512 << 4;
  }
  void perplexityMatchesTransformers() {
    QFETCH(QString, dtype);
    QFETCH(int, seqlen);
    QFETCH(int, batch);
    // bfloat16 matmuls on the CPU take LibTorch 1.13's slow path (minutes for the demo text): the bf16 logits are
    // checked against transformers in tst_llama_golden and the bf16 perplexity on CUDA by bench/gpu_engine_check.sh.
    if (dtype == "bfloat16" && qEnvironmentVariableIsEmpty("JQ_RUN_SLOW"))
      QSKIP("bfloat16 perplexity on the CPU runs only with JQ_RUN_SLOW=1");
    jq::ModelOptions mo;
    mo.dtype = jq::modelDtypeFromName(dtype.toStdString());
    jq::LlamaModel model = jq::LlamaModel::load(jq::test::demoModelDir(), mo);
    jq::PerplexityOptions po;
    po.seqlen = seqlen;
    po.batchSize = batch;
    const jq::PerplexityResult r = jq::PerplexityEvaluator(po).evaluate(model, tokens_);
    const auto& ref = golden_["results"]["cpu"][dtype.toStdString()][std::to_string(seqlen)];
    const double expected = ref["perplexity"].get<double>();
    QCOMPARE(r.windows, ref["windows"].get<int64_t>());
    QCOMPARE(r.predicted, ref["predicted"].get<int64_t>());
    const double rel = std::abs(r.perplexity - expected) / expected;
    qInfo("%s seqlen %d: ours %.6f, transformers %.6f, relative difference %.2e", qPrintable(dtype), seqlen,
          r.perplexity, expected, rel);
    QVERIFY2(rel < 1e-3, qPrintable(QString("relative difference %1").arg(rel)));
  }

  void cancellationStopsEvaluation() {
    jq::LlamaModel model = jq::LlamaModel::load(jq::test::demoModelDir());
    jq::JobContext job;
    int reports = 0;
    job.progress = [&](const jq::ProgressEvent&) {
      if (++reports == 2) job.cancel.cancel();
    };
    jq::PerplexityOptions po;
    po.seqlen = 256;
    try {
      jq::PerplexityEvaluator(po).evaluate(model, tokens_, job);
      QFAIL("expected cancellation");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::Cancelled);
    }
    QCOMPARE(reports, 2);
  }

  void tokensOutsideTheVocabularyAreRejected() {
    jq::LlamaModel model = jq::LlamaModel::load(jq::test::demoModelDir());
    std::vector<int64_t> bad(600, 5);
    bad[10] = 999999;
    jq::PerplexityOptions po;
    po.seqlen = 512;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::PerplexityEvaluator(po).evaluate(model, bad));
  }

  void tooShortTextIsRejected() {
    jq::LlamaModel model = jq::LlamaModel::load(jq::test::demoModelDir());
    std::vector<int64_t> shortText(100, 5);
    jq::PerplexityOptions po;
    po.seqlen = 512;
    QVERIFY_THROWS_EXCEPTION(jq::Error, jq::PerplexityEvaluator(po).evaluate(model, shortText));
  }
};

QTEST_GUILESS_MAIN(TestPerplexity)
#include "tst_perplexity.moc"
