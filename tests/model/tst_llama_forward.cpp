// The Llama forward pass on small random models against a float64 reference written here from the
// definitions alone (explicit RMSNorm formula, pairwise RoPE with frequencies from std::pow, loop-based causal
// attention with per-head KV lookup, x/(1+exp(-x)) for SiLU). Nothing here compares the model with itself
// except where the claim *is* an identity (placements, pieces vs forward, tied vs its untied copy).
#include <QtTest/QtTest>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/Error.h"
#include "model/LlamaConfig.h"
#include "model/LlamaModel.h"
#include "support/EnumName.h"
#include "support/TestData.h"

namespace {

using TensorMap = std::map<std::string, at::Tensor>;

jq::LlamaConfig configFor(const QString& variant) {
  jq::LlamaConfig c;
  c.vocabSize = 97;
  c.hiddenSize = 64;
  c.intermediateSize = 96;
  c.numHiddenLayers = 2;
  c.numAttentionHeads = 4;
  c.numKeyValueHeads = 2;
  c.headDim = 16;
  c.rmsNormEps = 1e-5;
  c.ropeTheta = 10000.0;
  c.dtype = "float32";
  if (variant == "mha") c.numKeyValueHeads = 4;
  if (variant == "mqa") c.numKeyValueHeads = 1;
  if (variant == "bias") c.attentionBias = c.mlpBias = true;
  if (variant == "tied") c.tieWordEmbeddings = true;
  if (variant == "headdim") c.headDim = 8;  // q/k/v width 32 != hidden 64, as head_dim overrides allow
  if (variant == "llama3") {
    // Original context 256 puts head_dim-16 frequencies in all three llama3 regimes (kept, blended, divided).
    c.ropeScaling.type = "llama3";
    c.ropeScaling.factor = 8.0;
    c.ropeScaling.lowFreqFactor = 1.0;
    c.ropeScaling.highFreqFactor = 4.0;
    c.ropeScaling.originalMaxPositionEmbeddings = 256;
    c.rmsNormEps = 1e-6;
    c.numHiddenLayers = 3;
  }
  return c;
}

TensorMap randomTensors(const jq::LlamaConfig& c, uint64_t seed) {
  at::manual_seed(seed);
  const int64_t h = c.hiddenSize, q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim;
  auto lin = [](int64_t out, int64_t in) { return at::randn({out, in}) / std::sqrt(double(in)); };
  auto norm = [](int64_t n) { return 1.0 + 0.2 * at::randn({n}); };
  TensorMap t;
  t["model.embed_tokens.weight"] = at::randn({c.vocabSize, h});
  for (int i = 0; i < int(c.numHiddenLayers); ++i) {
    const std::string p = "model.layers." + std::to_string(i);
    t[p + ".input_layernorm.weight"] = norm(h);
    t[p + ".post_attention_layernorm.weight"] = norm(h);
    // Larger q/k make the attention distributions far from uniform, so mistakes in it show.
    t[p + ".self_attn.q_proj.weight"] = 2.0 * lin(q, h);
    t[p + ".self_attn.k_proj.weight"] = 2.0 * lin(kv, h);
    t[p + ".self_attn.v_proj.weight"] = lin(kv, h);
    t[p + ".self_attn.o_proj.weight"] = lin(h, q);
    t[p + ".mlp.gate_proj.weight"] = lin(c.intermediateSize, h);
    t[p + ".mlp.up_proj.weight"] = lin(c.intermediateSize, h);
    t[p + ".mlp.down_proj.weight"] = lin(h, c.intermediateSize);
    if (c.attentionBias) {
      t[p + ".self_attn.q_proj.bias"] = 0.1 * at::randn({q});
      t[p + ".self_attn.k_proj.bias"] = 0.1 * at::randn({kv});
      t[p + ".self_attn.v_proj.bias"] = 0.1 * at::randn({kv});
      t[p + ".self_attn.o_proj.bias"] = 0.1 * at::randn({h});
    }
    if (c.mlpBias) {
      t[p + ".mlp.gate_proj.bias"] = 0.1 * at::randn({c.intermediateSize});
      t[p + ".mlp.up_proj.bias"] = 0.1 * at::randn({c.intermediateSize});
      t[p + ".mlp.down_proj.bias"] = 0.1 * at::randn({h});
    }
  }
  t["model.norm.weight"] = norm(h);
  if (!c.tieWordEmbeddings) t["lm_head.weight"] = 3.0 * lin(c.vocabSize, h);
  return t;
}

TensorMap cloned(const TensorMap& m) {
  TensorMap out;
  for (const auto& kv : m) out[kv.first] = kv.second.clone();
  return out;
}

at::Tensor randomIds(const jq::LlamaConfig& c, int64_t b, int64_t t, uint64_t seed) {
  at::manual_seed(seed);
  return at::randint(c.vocabSize, {b, t}, at::TensorOptions().dtype(at::kLong));
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}
double maxAbs(const at::Tensor& a) { return a.to(at::kDouble).abs().max().item<double>(); }

// ---------------------------------------------------------------- float64 reference ----

std::vector<double> refFrequencies(const jq::LlamaConfig& c) {
  std::vector<double> f(size_t(c.headDim / 2));
  for (size_t j = 0; j < f.size(); ++j) {
    f[j] = std::pow(c.ropeTheta, -2.0 * double(j) / double(c.headDim));
    if (c.ropeScaling.type == "llama3") {
      const jq::RopeScaling& s = c.ropeScaling;
      const double orig = double(s.originalMaxPositionEmbeddings);
      const double wavelen = 2.0 * 3.14159265358979323846 / f[j];
      if (wavelen > orig / s.lowFreqFactor) {
        f[j] = f[j] / s.factor;
      } else if (wavelen >= orig / s.highFreqFactor) {
        const double smooth = (orig / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
        f[j] = (1.0 - smooth) * f[j] / s.factor + smooth * f[j];
      }
    }
  }
  return f;
}

at::Tensor refRmsNorm(const at::Tensor& x, const at::Tensor& g, double eps) {
  return x / at::sqrt((x * x).mean(-1, true) + eps) * g;
}

at::Tensor refLinear(const TensorMap& w, const std::string& name, const at::Tensor& x) {
  at::Tensor y = at::matmul(x, w.at(name + ".weight").t());
  if (w.count(name + ".bias")) y = y + w.at(name + ".bias");
  return y;
}

// x [B, heads, T, D]; pair (j, j + D/2) rotated by pos[b][t] * f[j] (one row of positions serves every b).
using Positions = std::vector<std::vector<int64_t>>;
at::Tensor refRope(const at::Tensor& x, const Positions& pos, const std::vector<double>& f) {
  at::Tensor y = x.clone();
  auto xa = x.accessor<double, 4>();
  auto ya = y.accessor<double, 4>();
  const int64_t half = x.size(3) / 2;
  for (int64_t b = 0; b < x.size(0); ++b)
    for (int64_t h = 0; h < x.size(1); ++h)
      for (int64_t t = 0; t < x.size(2); ++t)
        for (int64_t j = 0; j < half; ++j) {
          const double angle = double(pos[pos.size() == 1 ? 0 : size_t(b)][size_t(t)]) * f[size_t(j)];
          const double a = xa[b][h][t][j], c = xa[b][h][t][j + half];
          ya[b][h][t][j] = a * std::cos(angle) - c * std::sin(angle);
          ya[b][h][t][j + half] = c * std::cos(angle) + a * std::sin(angle);
        }
  return y;
}

// q [B, H, T, D], k/v [B, KV, T, D]; query head h reads KV head h / (H / KV); token t sees s <= t.
at::Tensor refAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), groups = H / k.size(1);
  at::Tensor out = at::zeros_like(q);
  auto qa = q.accessor<double, 4>();
  auto ka = k.accessor<double, 4>();
  auto va = v.accessor<double, 4>();
  auto oa = out.accessor<double, 4>();
  std::vector<double> w(static_cast<size_t>(T));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t g = h / groups;
      for (int64_t t = 0; t < T; ++t) {
        double best = -INFINITY;
        for (int64_t s = 0; s <= t; ++s) {
          double dot = 0;
          for (int64_t d = 0; d < D; ++d) dot += qa[b][h][t][d] * ka[b][g][s][d];
          w[size_t(s)] = dot / std::sqrt(double(D));
          best = std::max(best, w[size_t(s)]);
        }
        double sum = 0;
        for (int64_t s = 0; s <= t; ++s) sum += (w[size_t(s)] = std::exp(w[size_t(s)] - best));
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t s = 0; s <= t; ++s) acc += w[size_t(s)] * va[b][g][s][d];
          oa[b][h][t][d] = acc / sum;
        }
      }
    }
  return out;
}

struct RefOutput {
  at::Tensor logits;
  std::vector<at::Tensor> hidden;  // transformers' tuple layout
};

// `weights` are used as given (already rounded to the model dtype when comparing a reduced-precision model).
RefOutput refForward(const jq::LlamaConfig& c, const TensorMap& weights, const at::Tensor& ids, Positions pos = {}) {
  TensorMap w;
  for (const auto& kv : weights) w[kv.first] = kv.second.to(at::kDouble);
  const int64_t B = ids.size(0), T = ids.size(1), H = c.numAttentionHeads, KV = c.numKeyValueHeads, D = c.headDim;
  if (pos.empty()) {
    pos.emplace_back();
    for (int64_t t = 0; t < T; ++t) pos[0].push_back(t);
  }
  const std::vector<double> f = refFrequencies(c);
  RefOutput out;
  at::Tensor x = w.at("model.embed_tokens.weight").index_select(0, ids.reshape({-1})).reshape({B, T, c.hiddenSize});
  out.hidden.push_back(x);
  for (int l = 0; l < int(c.numHiddenLayers); ++l) {
    const std::string p = "model.layers." + std::to_string(l);
    const at::Tensor n1 = refRmsNorm(x, w.at(p + ".input_layernorm.weight"), c.rmsNormEps);
    const at::Tensor q = refLinear(w, p + ".self_attn.q_proj", n1).reshape({B, T, H, D}).permute({0, 2, 1, 3}).contiguous();
    const at::Tensor k = refLinear(w, p + ".self_attn.k_proj", n1).reshape({B, T, KV, D}).permute({0, 2, 1, 3}).contiguous();
    const at::Tensor v = refLinear(w, p + ".self_attn.v_proj", n1).reshape({B, T, KV, D}).permute({0, 2, 1, 3}).contiguous();
    const at::Tensor a = refAttention(refRope(q, pos, f), refRope(k, pos, f), v).permute({0, 2, 1, 3}).reshape({B, T, H * D});
    x = x + refLinear(w, p + ".self_attn.o_proj", a);
    const at::Tensor n2 = refRmsNorm(x, w.at(p + ".post_attention_layernorm.weight"), c.rmsNormEps);
    const at::Tensor g = refLinear(w, p + ".mlp.gate_proj", n2);
    const at::Tensor silu = g / (1.0 + at::exp(-g));
    x = x + refLinear(w, p + ".mlp.down_proj", silu * refLinear(w, p + ".mlp.up_proj", n2));
    if (l + 1 < int(c.numHiddenLayers)) out.hidden.push_back(x);
  }
  const at::Tensor normed = refRmsNorm(x, w.at("model.norm.weight"), c.rmsNormEps);
  out.hidden.push_back(normed);
  const at::Tensor headW = c.tieWordEmbeddings ? w.at("model.embed_tokens.weight") : w.at("lm_head.weight");
  out.logits = at::matmul(normed, headW.t());
  return out;
}

TensorMap roundedTo(const TensorMap& m, at::ScalarType dtype) {
  TensorMap out;
  for (const auto& kv : m) out[kv.first] = kv.second.to(dtype);
  return out;
}

jq::ModelOptions optionsFor(at::ScalarType dtype, jq::WeightPlacement placement = jq::WeightPlacement::Device) {
  jq::ModelOptions o;
  o.dtype = dtype;
  o.placement = placement;
  return o;
}

// A random orthogonal matrix (QR of a Gaussian), float64.
at::Tensor randomOrthogonal(int64_t n, uint64_t seed) {
  at::manual_seed(seed);
  return std::get<0>(at::linalg_qr(at::randn({n, n}, at::kDouble)));
}

}  // namespace

class TestLlamaForward : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    at::set_num_threads(2);
    // The one-GEMM projection groups are opt-in (see model/Linear.h); this suite runs them, every other suite
    // the default. Read once, before the first forward.
    qputenv("JQ_FUSED_PROJECTIONS", "1");
  }

  void matchesFloat64Reference_data() {
    QTest::addColumn<QString>("variant");
    QTest::addColumn<int>("dtype");
    QTest::addColumn<double>("tolerance");  // max |logit error| / max |logit|
    // float32: the project-wide bound for float32 against a reference. bf16 keeps 8 significant bits, fp16 11,
    // and like transformers we round the attention scores to the model dtype before the float32 softmax: with
    // these deliberately peaked attentions (|scores| up to ~16, bf16 spacing 2^-3 there) that alone moves
    // attention weights by several percent. Measured worst case 2.7e-2 (bf16); bugs give errors of order 1.
    for (const char* v : {"mha", "gqa", "mqa", "bias", "tied", "headdim", "llama3"}) {
      QTest::newRow((std::string(v) + "/float32").c_str()) << QString(v) << int(at::kFloat) << 1e-4;
      QTest::newRow((std::string(v) + "/bfloat16").c_str()) << QString(v) << int(at::kBFloat16) << 5e-2;
      QTest::newRow((std::string(v) + "/float16").c_str()) << QString(v) << int(at::kHalf) << 3e-3;
    }
  }
  void matchesFloat64Reference() {
    QFETCH(QString, variant);
    QFETCH(int, dtype);
    QFETCH(double, tolerance);
    const at::ScalarType type = at::ScalarType(dtype);
    const jq::LlamaConfig c = configFor(variant);
    const TensorMap weights = randomTensors(c, 11);
    const at::Tensor ids = randomIds(c, 2, 12, 5);
    at::NoGradGuard noGrad;

    const jq::LlamaModel model = jq::LlamaModel::fromTensors(c, cloned(weights), optionsFor(type));
    if (!jq::matmulSupported(type, at::kCPU)) {
      try {
        model.forward(ids);
        QFAIL("expected jq::Error(Unsupported)");
      } catch (const jq::Error& e) {
        QVERIFY(e.kind() == jq::ErrorKind::Unsupported);
      }
      QSKIP("this LibTorch has no matmul for this dtype on the CPU (checked that the model says so)");
    }
    jq::ForwardOptions fo;
    fo.outputHiddenStates = true;
    const jq::ForwardOutput got = model.forward(ids, fo);
    const RefOutput want = refForward(c, roundedTo(weights, type), ids);

    QCOMPARE(got.logits.scalar_type(), type);
    QCOMPARE(got.logits.sizes().vec(), (std::vector<int64_t>{2, 12, c.vocabSize}));
    const double scale = maxAbs(want.logits);
    QVERIFY(scale > 1.0);  // a model whose logits are all near zero would hide errors
    const double err = maxAbsDiff(got.logits, want.logits) / scale;
    QVERIFY2(err <= tolerance, qPrintable(QString("logit error %1 of scale %2").arg(err).arg(scale)));

    QCOMPARE(got.hiddenStates.size(), size_t(c.numHiddenLayers + 1));
    for (size_t i = 0; i < want.hidden.size(); ++i) {
      const double herr = maxAbsDiff(got.hiddenStates[i], want.hidden[i]) / maxAbs(want.hidden[i]);
      QVERIFY2(herr <= tolerance, qPrintable(QString("hidden %1 error %2").arg(i).arg(herr)));
    }
  }

  void explicitPositionsMatchReference() {
    // RoPE only sees relative positions: a constant shift changes nothing, uneven gaps do.
    const jq::LlamaConfig c = configFor("llama3");
    const TensorMap weights = randomTensors(c, 21);
    const at::Tensor ids = randomIds(c, 2, 7, 6);
    at::NoGradGuard noGrad;
    const jq::LlamaModel model = jq::LlamaModel::fromTensors(c, cloned(weights));
    const Positions rows = {{0, 2, 4, 7, 11, 12, 300}, {100, 101, 102, 103, 104, 105, 106}};
    jq::ForwardOptions fo;
    fo.positions = at::tensor(std::vector<int64_t>{0, 2, 4, 7, 11, 12, 300, 100, 101, 102, 103, 104, 105, 106},
                              at::kLong).reshape({2, 7});
    const at::Tensor got = model.forward(ids, fo).logits;
    const at::Tensor want = refForward(c, weights, ids, rows).logits;
    const at::Tensor wantDefault = refForward(c, weights, ids).logits;
    QVERIFY(maxAbsDiff(want[0], wantDefault[0]) > 1e-2 * maxAbs(want));  // the uneven row differs
    QVERIFY(maxAbsDiff(want[1], wantDefault[1]) < 1e-6 * maxAbs(want));  // the shifted row does not
    QVERIFY2(maxAbsDiff(got, want) <= 1e-4 * maxAbs(want), qPrintable(QString::number(maxAbsDiff(got, want))));
  }

  void sdpaOptionMatchesReference() {
    // On LibTorch >= 2 this runs at::scaled_dot_product_attention; on 1.x the option falls back to eager.
    const jq::LlamaConfig c = configFor("gqa");
    const TensorMap weights = randomTensors(c, 12);
    const at::Tensor ids = randomIds(c, 2, 9, 7);
    at::NoGradGuard noGrad;
    jq::ModelOptions o;
    o.attention = jq::AttentionImpl::Sdpa;
    const jq::LlamaModel model = jq::LlamaModel::fromTensors(c, cloned(weights), o);
    QCOMPARE(jq::test::enumName(model.options().attention),
             jq::test::enumName(jq::sdpaAvailable() ? jq::AttentionImpl::Sdpa : jq::AttentionImpl::Eager));
    const at::Tensor want = refForward(c, weights, ids).logits;
    QVERIFY(maxAbsDiff(model.forward(ids), want) <= 1e-4 * maxAbs(want));
  }

  void gqaEqualsMhaWithRepeatedKvHeads() {
    const jq::LlamaConfig gqa = configFor("gqa");
    jq::LlamaConfig mha = gqa;
    mha.numKeyValueHeads = mha.numAttentionHeads;
    const TensorMap w = randomTensors(gqa, 13);
    TensorMap repeated = cloned(w);
    const int64_t groups = gqa.numAttentionHeads / gqa.numKeyValueHeads, d = gqa.headDim;
    for (int i = 0; i < int(gqa.numHiddenLayers); ++i)
      for (const char* name : {"k_proj", "v_proj"}) {
        const std::string key = "model.layers." + std::to_string(i) + ".self_attn." + name + ".weight";
        std::vector<at::Tensor> heads;
        for (int64_t h = 0; h < mha.numAttentionHeads; ++h) heads.push_back(w.at(key).narrow(0, (h / groups) * d, d));
        repeated[key] = at::cat(heads, 0);
      }
    const at::Tensor ids = randomIds(gqa, 2, 10, 8);
    at::NoGradGuard noGrad;
    const at::Tensor a = jq::LlamaModel::fromTensors(gqa, cloned(w)).forward(ids);
    const at::Tensor b = jq::LlamaModel::fromTensors(mha, repeated).forward(ids);
    QVERIFY2(maxAbsDiff(a, b) <= 1e-5 * maxAbs(b), qPrintable(QString::number(maxAbsDiff(a, b))));
  }

  void tiedEqualsUntiedCopyAndUntieSeparates() {
    const jq::LlamaConfig tiedCfg = configFor("tied");
    jq::LlamaConfig untiedCfg = tiedCfg;
    untiedCfg.tieWordEmbeddings = false;
    const TensorMap w = randomTensors(tiedCfg, 14);
    TensorMap withHead = cloned(w);
    withHead["lm_head.weight"] = w.at("model.embed_tokens.weight").clone();
    const at::Tensor ids = randomIds(tiedCfg, 2, 6, 9);
    at::NoGradGuard noGrad;

    jq::LlamaModel tied = jq::LlamaModel::fromTensors(tiedCfg, cloned(w));
    const jq::LlamaModel untied = jq::LlamaModel::fromTensors(untiedCfg, withHead);
    QVERIFY(tied.embeddingsTied());
    QVERIFY(!untied.embeddingsTied());
    QCOMPARE(tied.stateDict().count("lm_head.weight"), size_t(0));
    QCOMPARE(untied.stateDict().count("lm_head.weight"), size_t(1));
    const at::Tensor logits = tied.forward(ids);
    QVERIFY(at::equal(logits, untied.forward(ids)));
    QCOMPARE(tied.parameterBytes() + int64_t(w.at("model.embed_tokens.weight").numel() * 4), untied.parameterBytes());

    tied.untieEmbeddings();
    QVERIFY(!tied.embeddingsTied());
    QVERIFY(at::equal(tied.forward(ids), logits));
    const at::Tensor embedBefore = tied.embedTokens().clone();
    tied.lmHead().weight.mul_(2.0);
    QVERIFY(at::equal(tied.embedTokens(), embedBefore));
    QVERIFY(at::allclose(tied.forward(ids), 2.0 * logits, 1e-5, 1e-5));
  }

  void projectionGroupsRunAsOneGemm() {
    const jq::LlamaConfig c = configFor("llama3");
    const TensorMap w = randomTensors(c, 21);
    const at::Tensor ids = randomIds(c, 2, 7, 3);
    at::NoGradGuard noGrad;
    const jq::LlamaModel packed = jq::LlamaModel::fromTensors(c, cloned(w));
    const jq::DecoderLayer& l = packed.layer(1);
    const at::Tensor qkv = jq::fusedWeight({&l.qProj, &l.kProj, &l.vProj});
    QVERIFY(qkv.defined());
    QVERIFY(at::equal(qkv, at::cat({w.at("model.layers.1.self_attn.q_proj.weight"),
                                    w.at("model.layers.1.self_attn.k_proj.weight"),
                                    w.at("model.layers.1.self_attn.v_proj.weight")})));
    QVERIFY(jq::fusedWeight({&l.gateProj, &l.upProj}).defined());
    QVERIFY(!jq::fusedWeight({&l.kProj, &l.qProj, &l.vProj}).defined());  // rows out of order
    jq::Linear transformed = l.kProj;
    transformed.inputTransform = [](const at::Tensor& x) { return x; };
    QVERIFY(!jq::fusedWeight({&l.qProj, &transformed, &l.vProj}).defined());
    jq::Linear biased = l.upProj;
    biased.bias = at::zeros({c.intermediateSize});
    QVERIFY(!jq::fusedWeight({&l.gateProj, &biased}).defined());

    // The same model with every projection on its own: replacing a weight ends the packing.
    jq::LlamaModel apart = jq::LlamaModel::fromTensors(c, cloned(w));
    for (int i = 0; i < apart.numLayers(); ++i)
      for (jq::LinearKind kind : jq::kLayerLinearKinds)
        apart.layer(i).linear(kind).weight = apart.layer(i).linear(kind).weight.clone();
    QVERIFY(!jq::fusedWeight({&apart.layer(1).qProj, &apart.layer(1).kProj, &apart.layer(1).vProj}).defined());
    const at::Tensor a = packed.forward(ids), b = apart.forward(ids);
    QVERIFY2(maxAbsDiff(a, b) <= 1e-5 * maxAbs(b), qPrintable(QString::number(maxAbsDiff(a, b))));
    // A hook sees the projections apart, with the same result.
    jq::LlamaModel hooked = jq::LlamaModel::fromTensors(c, cloned(w));
    int seen = 0;
    hooked.addHook(jq::HookPoint::LinearOutput, [&](int, jq::LinearKind kind, const at::Tensor&) {
      if (kind == jq::LinearKind::KProj) ++seen;
    });
    QVERIFY2(maxAbsDiff(hooked.forward(ids), b) <= 1e-5 * maxAbs(b), "hooked forward");
    QCOMPARE(seen, c.numHiddenLayers);
  }

  void weightsMoveAwayAndBackKeepingTheTie() {
    const jq::LlamaConfig c = configFor("tied");
    const at::Tensor ids = randomIds(c, 1, 6, 4);
    at::NoGradGuard noGrad;
    jq::LlamaModel m = jq::LlamaModel::fromTensors(c, randomTensors(c, 22));
    const at::Tensor logits = m.forward(ids);
    m.moveWeightsTo(at::kCPU);
    m.moveWeightsTo(m.device());
    QVERIFY(m.embeddingsTied());
    QVERIFY(jq::fusedWeight({&m.layer(0).gateProj, &m.layer(0).upProj}).defined());
    QVERIFY(at::equal(m.forward(ids), logits));
  }

  void piecesComposeToForwardAndHiddenStatesFollowTransformers() {
    const jq::LlamaConfig c = configFor("llama3");  // 3 layers
    const at::Tensor ids = randomIds(c, 2, 8, 10);
    at::NoGradGuard noGrad;
    const jq::LlamaModel model = jq::LlamaModel::fromTensors(c, randomTensors(c, 15));
    jq::ForwardOptions fo;
    fo.outputHiddenStates = true;
    const jq::ForwardOutput out = model.forward(ids, fo);

    at::Tensor h = model.embed(ids);
    const jq::RopeCache rope = model.rope(ids.size(1));
    std::vector<at::Tensor> layerOutputs;
    for (int i = 0; i < model.numLayers(); ++i) layerOutputs.push_back(h = model.layerForward(i, h, rope));
    QCOMPARE(out.hiddenStates.size(), size_t(4));
    QVERIFY(at::equal(out.hiddenStates[0], model.embed(ids)));
    QVERIFY(at::equal(out.hiddenStates[1], layerOutputs[0]));
    QVERIFY(at::equal(out.hiddenStates[2], layerOutputs[1]));
    // The last entry is the final-normed output of the last layer, not its raw output.
    QVERIFY(at::equal(out.hiddenStates[3], model.finalNorm(layerOutputs[2])));
    QVERIFY(!at::allclose(out.hiddenStates[3], layerOutputs[2]));
    QVERIFY(at::equal(out.logits, model.finalNormAndHead(layerOutputs[2])));
    QVERIFY(at::equal(out.logits, model.forward(ids)));
  }

  void hooksSeeEveryProjection() {
    const jq::LlamaConfig c = configFor("bias");
    const TensorMap w = randomTensors(c, 16);
    const at::Tensor ids = randomIds(c, 2, 5, 11);
    at::NoGradGuard noGrad;
    jq::LlamaModel model = jq::LlamaModel::fromTensors(c, cloned(w));
    std::vector<std::pair<int, jq::LinearKind>> order;
    std::map<std::pair<int, int>, at::Tensor> inputs, outputs;
    const int inId = model.addHook(jq::HookPoint::LinearInput, [&](int layer, jq::LinearKind kind, const at::Tensor& x) {
      order.emplace_back(layer, kind);
      inputs[{layer, int(kind)}] = x.clone();
    });
    model.addHook(jq::HookPoint::LinearOutput, [&](int layer, jq::LinearKind kind, const at::Tensor& x) {
      outputs[{layer, int(kind)}] = x.clone();
    });
    jq::ForwardOptions fo;
    fo.outputHiddenStates = true;
    const jq::ForwardOutput out = model.forward(ids, fo);

    std::vector<std::pair<int, jq::LinearKind>> expected;
    for (int i = 0; i < 2; ++i)
      for (jq::LinearKind k : jq::kLayerLinearKinds) expected.emplace_back(i, k);
    expected.emplace_back(2, jq::LinearKind::LmHead);
    QVERIFY(order == expected);
    QCOMPARE(outputs.size(), expected.size());

    // Each output is its input times the checkpoint weight (plus bias), recomputed in float64.
    for (const auto& e : expected) {
      const std::string name = jq::checkpointName(e.first, e.second);
      const std::string base = name.substr(0, name.size() - std::string(".weight").size());
      TensorMap one;
      one[base + ".weight"] = w.at(name).to(at::kDouble);
      if (w.count(base + ".bias")) one[base + ".bias"] = w.at(base + ".bias").to(at::kDouble);
      const at::Tensor want = refLinear(one, base, inputs[{e.first, int(e.second)}].to(at::kDouble));
      QVERIFY2(maxAbsDiff(outputs[{e.first, int(e.second)}], want) <= 1e-5 * maxAbs(want), name.c_str());
    }
    // q_proj of layer i reads input_layernorm(hidden_states[i]); lm_head reads the last hidden state.
    const at::Tensor n1 = refRmsNorm(out.hiddenStates[1].to(at::kDouble),
                                     w.at("model.layers.1.input_layernorm.weight").to(at::kDouble), c.rmsNormEps);
    QVERIFY(maxAbsDiff(inputs[{1, int(jq::LinearKind::QProj)}], n1) <= 1e-5 * maxAbs(n1));
    QVERIFY(at::equal(inputs[{2, int(jq::LinearKind::LmHead)}], out.hiddenStates[2]));

    model.removeHook(inId);
    order.clear();
    model.forward(ids);
    QVERIFY(order.empty());
    QCOMPARE(outputs.size(), expected.size());
  }

  void inputTransformRunsBeforeTheMatmul() {
    // inputTransform x -> x Q with weight W Q leaves x W^T unchanged (Q orthogonal): the R4 pattern.
    const jq::LlamaConfig c = configFor("gqa");
    const at::Tensor ids = randomIds(c, 2, 7, 12);
    at::NoGradGuard noGrad;
    jq::LlamaModel model = jq::LlamaModel::fromTensors(c, randomTensors(c, 17));
    const at::Tensor before = model.forward(ids);
    const at::Tensor q = randomOrthogonal(c.intermediateSize, 3).to(at::kFloat);
    jq::Linear& down = model.layer(1).downProj;
    down.inputTransform = [q](const at::Tensor& x) { return at::matmul(x, q); };
    const at::Tensor transformedOnly = model.forward(ids);
    QVERIFY(maxAbsDiff(transformedOnly, before) > 1e-2 * maxAbs(before));  // the transform is applied
    down.weight = at::matmul(down.weight, q);
    QVERIFY2(maxAbsDiff(model.forward(ids), before) <= 1e-4 * maxAbs(before),
             qPrintable(QString::number(maxAbsDiff(model.forward(ids), before))));

    // appendInputTransform composes: Q then Q^T is the identity on the original weight.
    jq::Linear l;
    l.weight = at::randn({3, 5});
    const at::Tensor x = at::randn({2, 5});
    const at::Tensor p = randomOrthogonal(5, 4).to(at::kFloat);
    l.appendInputTransform([p](const at::Tensor& v) { return at::matmul(v, p); });
    l.appendInputTransform([p](const at::Tensor& v) { return at::matmul(v, p.t()); });
    QVERIFY(at::allclose(l.forward(x), at::matmul(x, l.weight.t()), 1e-5, 1e-5));
  }

  void qkTransformRunsAfterRope() {
    // The same orthogonal R on q and k after RoPE cancels in q k^T; before RoPE it would not (R does not
    // commute with the position rotation), so only a post-RoPE slot keeps the logits.
    const jq::LlamaConfig c = configFor("gqa");
    const at::Tensor ids = randomIds(c, 2, 9, 13);
    at::NoGradGuard noGrad;
    jq::LlamaModel model = jq::LlamaModel::fromTensors(c, randomTensors(c, 18));
    const at::Tensor before = model.forward(ids);
    const at::Tensor r = randomOrthogonal(c.headDim, 5).to(at::kFloat);
    int calls = 0;
    for (int i = 0; i < model.numLayers(); ++i)
      model.layer(i).qkTransform = [r, &calls, &c](const at::Tensor& q, const at::Tensor& k) {
        ++calls;
        if (q.size(1) != c.numAttentionHeads || k.size(1) != c.numKeyValueHeads) throw std::runtime_error("shape");
        return std::make_pair(at::matmul(q, r), at::matmul(k, r));
      };
    const at::Tensor after = model.forward(ids);
    QCOMPARE(calls, 2);
    QVERIFY2(maxAbsDiff(after, before) <= 1e-4 * maxAbs(before), qPrintable(QString::number(maxAbsDiff(after, before))));
    model.layer(0).qkTransform = [](const at::Tensor& q, const at::Tensor& k) { return std::make_pair(q, 2.0 * k); };
    QVERIFY(maxAbsDiff(model.forward(ids), before) > 1e-2 * maxAbs(before));
  }

  void valueTransformWithMatchingOProjIsInvariant() {
    // v -> v R per KV head and o_proj columns of every head block -> W_o R: the R2 pattern.
    const jq::LlamaConfig c = configFor("gqa");
    const at::Tensor ids = randomIds(c, 2, 9, 14);
    at::NoGradGuard noGrad;
    jq::LlamaModel model = jq::LlamaModel::fromTensors(c, randomTensors(c, 19));
    const at::Tensor before = model.forward(ids);
    const at::Tensor r = randomOrthogonal(c.headDim, 6).to(at::kFloat);
    jq::DecoderLayer& l = model.layer(0);
    l.valueTransform = [r](const at::Tensor& v) { return at::matmul(v, r); };
    QVERIFY(maxAbsDiff(model.forward(ids), before) > 1e-2 * maxAbs(before));
    std::vector<at::Tensor> blocks;
    for (int64_t h = 0; h < c.numAttentionHeads; ++h)
      blocks.push_back(at::matmul(l.oProj.weight.narrow(1, h * c.headDim, c.headDim), r));
    l.oProj.weight = at::cat(blocks, 1);
    QVERIFY(maxAbsDiff(model.forward(ids), before) <= 1e-4 * maxAbs(before));
  }

  void hostPlacementMatchesDeviceAndLeavesHostWeightsAlone_data() {
    QTest::addColumn<int>("dtype");
    QTest::newRow("float32") << int(at::kFloat);
    QTest::newRow("bfloat16") << int(at::kBFloat16);
  }
  void hostPlacementMatchesDeviceAndLeavesHostWeightsAlone() {
    QFETCH(int, dtype);
    const at::ScalarType type = at::ScalarType(dtype);
    const jq::LlamaConfig c = configFor("bias");
    const TensorMap w = randomTensors(c, 20);
    const at::Tensor ids = randomIds(c, 2, 8, 15);
    at::NoGradGuard noGrad;
    jq::LlamaModel onDevice = jq::LlamaModel::fromTensors(c, cloned(w), optionsFor(type));
    jq::LlamaModel onHost = jq::LlamaModel::fromTensors(c, cloned(w), optionsFor(type, jq::WeightPlacement::Host));
    const auto v = [](const at::Tensor& x) { return at::matmul(x, at::ones({x.size(-1), x.size(-1)}, x.options()) / 4.0); };
    onDevice.layer(1).valueTransform = v;
    onHost.layer(1).valueTransform = v;

    std::map<std::string, at::Tensor> snapshot;
    std::map<std::string, const void*> storage;
    for (const auto& kv : onHost.stateDict()) {
      snapshot[kv.first] = kv.second.clone();
      storage[kv.first] = kv.second.data_ptr();
      QVERIFY(kv.second.device().is_cpu());
      QCOMPARE(kv.second.scalar_type(), type);
    }
    jq::ForwardOptions fo;
    fo.outputHiddenStates = true;
    const jq::ForwardOutput a = onDevice.forward(ids, fo);
    const jq::ForwardOutput b = onHost.forward(ids, fo);
    QVERIFY(at::equal(a.logits, b.logits));
    for (size_t i = 0; i < a.hiddenStates.size(); ++i) QVERIFY(at::equal(a.hiddenStates[i], b.hiddenStates[i]));

    // A layer brought over once and reused gives the same as the per-call transfer.
    const jq::DecoderLayer resident = onHost.layerOnDevice(0);
    const at::Tensor h0 = onHost.embed(ids);
    const jq::RopeCache rope = onHost.rope(ids.size(1));
    QVERIFY(at::equal(onHost.layerForward(0, resident, h0, rope), onHost.layerForward(0, h0, rope)));
    QVERIFY(at::equal(onHost.layerForward(0, h0, rope), b.hiddenStates[1]));

    for (const auto& kv : onHost.stateDict()) {
      QVERIFY2(kv.second.data_ptr() == storage[kv.first], kv.first.c_str());
      QVERIFY2(at::equal(kv.second, snapshot[kv.first]), kv.first.c_str());
    }
  }

  void stateDictRoundTrips() {
    const jq::LlamaConfig c = configFor("bias");
    const at::Tensor ids = randomIds(c, 1, 6, 16);
    at::NoGradGuard noGrad;
    const jq::LlamaModel a = jq::LlamaModel::fromTensors(c, randomTensors(c, 22));
    const TensorMap sd = a.stateDict();
    QCOMPARE(sd.size(), randomTensors(c, 22).size());
    const jq::LlamaModel b = jq::LlamaModel::fromTensors(c, sd);
    QVERIFY(at::equal(a.forward(ids), b.forward(ids)));
    b.validate();
  }

  void weightsAreConvertedToTheModelDtype() {
    jq::LlamaConfig c = configFor("gqa");
    c.dtype = "bfloat16";
    const jq::LlamaModel fromConfig = jq::LlamaModel::fromTensors(c, randomTensors(c, 23));
    QCOMPARE(fromConfig.dtype(), at::kBFloat16);
    QCOMPARE(fromConfig.layer(1).upProj.weight.scalar_type(), at::kBFloat16);
    QCOMPARE(fromConfig.finalNormWeight().scalar_type(), at::kBFloat16);
    const jq::LlamaModel asHalf = jq::LlamaModel::fromTensors(c, randomTensors(c, 23), optionsFor(at::kHalf));
    QCOMPARE(asHalf.embedTokens().scalar_type(), at::kHalf);
    if (jq::matmulSupported(at::kHalf, at::kCPU))
      QCOMPARE(asHalf.forward(randomIds(c, 1, 4, 1)).scalar_type(), at::kHalf);
    else
      QVERIFY_THROWS_EXCEPTION(jq::Error, asHalf.forward(randomIds(c, 1, 4, 1)));
  }

  void rejectsBadTensors_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("layer");  // -1: none
    const int notFound = int(jq::ErrorKind::NotFound), invalid = int(jq::ErrorKind::InvalidInput);
    QTest::newRow("missing projection") << "remove" << "model.layers.1.mlp.up_proj.weight" << notFound << 1;
    QTest::newRow("missing final norm") << "remove" << "model.norm.weight" << notFound << -1;
    QTest::newRow("untied without lm_head") << "remove" << "lm_head.weight" << notFound << -1;
    QTest::newRow("wrong shape") << "transpose" << "model.layers.0.self_attn.o_proj.weight" << invalid << 0;
    QTest::newRow("wrong embedding rows") << "shrink" << "model.embed_tokens.weight" << invalid << -1;
    QTest::newRow("NaN") << "nan" << "model.layers.1.self_attn.k_proj.weight" << invalid << 1;
    QTest::newRow("Inf") << "inf" << "model.layers.0.post_attention_layernorm.weight" << invalid << 0;
    QTest::newRow("integer dtype") << "int" << "model.layers.0.mlp.gate_proj.weight" << invalid << 0;
  }
  void rejectsBadTensors() {
    QFETCH(QString, change);
    QFETCH(QString, tensor);
    QFETCH(int, kind);
    QFETCH(int, layer);
    jq::LlamaConfig c = configFor("gqa");
    c.headDim = 8;  // o_proj [64, 32]: its transpose has a different shape
    TensorMap w = randomTensors(c, 24);
    const std::string name = tensor.toStdString();
    at::Tensor& t = w.at(name);
    if (change == "remove") w.erase(name);
    else if (change == "transpose") t = t.t().contiguous();
    else if (change == "shrink") t = t.narrow(0, 0, c.vocabSize - 1);
    else if (change == "nan") t.view({-1})[7] = NAN;
    else if (change == "inf") t.view({-1})[3] = INFINITY;
    else if (change == "int") t = t.to(at::kInt);
    try {
      jq::LlamaModel::fromTensors(c, w);
      QFAIL("expected jq::Error");
    } catch (const jq::Error& e) {
      QCOMPARE(int(e.kind()), kind);
      QCOMPARE(e.context().tensor, name);
      QCOMPARE(e.context().layer.has_value(), layer >= 0);
      if (layer >= 0) QCOMPARE(*e.context().layer, layer);
      QVERIFY2(std::string(e.what()).find("in-memory tensors") != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
    }
  }

  void rejectsBadTokenIds() {
    const jq::LlamaConfig c = configFor("gqa");
    const jq::LlamaModel model = jq::LlamaModel::fromTensors(c, randomTensors(c, 25));
    const at::Tensor outside = at::tensor(std::vector<int64_t>{1, 2, c.vocabSize}, at::kLong);
    try {
      model.forward(outside);
      QFAIL("expected jq::Error");
    } catch (const jq::Error& e) {
      QVERIFY(e.kind() == jq::ErrorKind::InvalidInput);
      QVERIFY2(std::string(e.what()).find("97") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(jq::Error, model.forward(at::zeros({2, 3}, at::kFloat)));
    QVERIFY_THROWS_EXCEPTION(jq::Error, model.layer(2));
    // A 1-D sequence is a batch of one.
    at::NoGradGuard noGrad;
    const at::Tensor ids = randomIds(c, 1, 5, 2);
    QVERIFY(at::equal(model.forward(ids.reshape({5})), model.forward(ids)));
  }

  void weightBytesOfPublishedModels_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<qint64>("parameters");  // from the model cards / transformers' num_parameters()
    QTest::newRow("llama-3-8b") << "configs/llama-3-8b/config.json" << qint64(8030261248);
    QTest::newRow("llama-3.2-1b (tied)") << "configs/llama-3.2-1b/config.json" << qint64(1235814400);
    QTest::newRow("llama-2-7b") << "configs/llama-2-7b/config.json" << qint64(6738415616);
  }
  void weightBytesOfPublishedModels() {
    QFETCH(QString, config);
    QFETCH(qint64, parameters);
    const jq::LlamaConfig c = jq::LlamaConfig::fromFile(jq::test::testData(config.toStdString()));
    QCOMPARE(qint64(jq::LlamaModel::weightBytes(c, at::kBFloat16)), 2 * parameters);
    QCOMPARE(qint64(jq::LlamaModel::weightBytes(c, at::kFloat)), 4 * parameters);
  }
};

QTEST_GUILESS_MAIN(TestLlamaForward)
#include "tst_llama_forward.moc"
