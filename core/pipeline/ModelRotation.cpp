#include "pipeline/ModelRotation.h"

#include <string>

#include "common/Error.h"
#include "model/LlamaModel.h"
#include "rotation/HadamardMatrix.h"

namespace jq {

namespace {

// W·diag(g) for W [out, in], in float64, back to W's dtype and device.
at::Tensor scaleColumns(const at::Tensor& w, const at::Tensor& g) {
  return (w.to(at::kDouble) * g.to(w.device()).to(at::kDouble).unsqueeze(0)).to(w.scalar_type());
}

at::Tensor onesLike(const at::Tensor& g) { return at::ones_like(g); }

void checkOrthogonal(const at::Tensor& r, int64_t n, const std::string& what) {
  if (r.dim() != 2 || r.size(0) != n || r.size(1) != n)
    throw Error(ErrorKind::InvalidInput, what + " must be " + std::to_string(n) + "x" + std::to_string(n));
  at::Tensor d = r.to(at::kCPU).to(at::kDouble);
  const double err = (d.t().matmul(d) - at::eye(n, d.options())).abs().max().item<double>();
  if (err > 1e-3)
    throw Error(ErrorKind::InvalidInput, what + " is not orthogonal (max |RᵀR − I| = " + std::to_string(err) + ")");
}

// Matrix products in float64 on the compute device (host-placed weights visit it one at a time), rounded once
// to the weight's dtype and returned to where the weight lives.
thread_local at::Device gComputeDevice = at::kCPU;
at::Tensor rightMul(const at::Tensor& w, const at::Tensor& r) {
  at::Tensor out = w.to(gComputeDevice, at::kDouble).matmul(r.to(gComputeDevice, at::kDouble));
  return out.to(w.device(), w.scalar_type());
}
at::Tensor leftMulT(const at::Tensor& r, const at::Tensor& w) {
  at::Tensor out = r.to(gComputeDevice, at::kDouble).t().matmul(w.to(gComputeDevice, at::kDouble));
  return out.to(w.device(), w.scalar_type());
}

}  // namespace

void fuseRmsNorms(LlamaModel& model) {
  if (model.embeddingsTied()) model.untieEmbeddings();
  for (int i = 0; i < model.numLayers(); ++i) {
    DecoderLayer& L = model.layer(i);
    for (Linear* lin : {&L.qProj, &L.kProj, &L.vProj}) lin->weight = scaleColumns(lin->weight, L.inputNorm);
    for (Linear* lin : {&L.gateProj, &L.upProj}) lin->weight = scaleColumns(lin->weight, L.postAttentionNorm);
    L.inputNorm = onesLike(L.inputNorm);
    L.postAttentionNorm = onesLike(L.postAttentionNorm);
  }
  model.lmHead().weight = scaleColumns(model.lmHead().weight, model.finalNormWeight());
  model.finalNormWeight() = onesLike(model.finalNormWeight());
}

bool normsAreFused(const LlamaModel& model) {
  auto isOne = [](const at::Tensor& g) { return g.eq(1).all().item<bool>(); };
  if (!isOne(model.finalNormWeight())) return false;
  for (int i = 0; i < model.numLayers(); ++i)
    if (!isOne(model.layer(i).inputNorm) || !isOne(model.layer(i).postAttentionNorm)) return false;
  return true;
}

void applyRotation(LlamaModel& model, const RotationPlan& plan) {
  const LlamaConfig& c = model.config();
  if (!normsAreFused(model))
    throw Error(ErrorKind::InvalidInput, "rotations need fused RMSNorms (call fuseRmsNorms first)");
  if (!plan.r2.empty() && int64_t(plan.r2.size()) != c.numHiddenLayers)
    throw Error(ErrorKind::InvalidInput, "R2 needs one entry per layer (" + std::to_string(c.numHiddenLayers) + ")");

  gComputeDevice = model.device();
  if (plan.r1.defined()) {
    checkOrthogonal(plan.r1, c.hiddenSize, "R1");
    if (model.embeddingsTied()) model.untieEmbeddings();
    model.embedTokens() = rightMul(model.embedTokens(), plan.r1);
    for (int i = 0; i < model.numLayers(); ++i) {
      DecoderLayer& L = model.layer(i);
      for (Linear* lin : {&L.qProj, &L.kProj, &L.vProj, &L.gateProj, &L.upProj})
        lin->weight = rightMul(lin->weight, plan.r1);
      for (Linear* lin : {&L.oProj, &L.downProj}) {
        lin->weight = leftMulT(plan.r1, lin->weight);
        if (lin->hasBias()) lin->bias = rightMul(lin->bias.unsqueeze(0), plan.r1).squeeze(0);
      }
    }
    model.lmHead().weight = rightMul(model.lmHead().weight, plan.r1);
  }

  const int64_t hd = c.headDim, kv = c.numKeyValueHeads, groups = c.kvGroups();
  for (size_t i = 0; i < plan.r2.size(); ++i) {
    at::Tensor r2 = plan.r2[i].to(at::kDouble);
    if (r2.dim() == 2) r2 = r2.unsqueeze(0).expand({kv, hd, hd});
    if (r2.dim() != 3 || r2.size(0) != kv)
      throw Error(ErrorKind::InvalidInput, "R2 of layer " + std::to_string(i) + " must be [kv_heads, head_dim, head_dim]");
    DecoderLayer& L = model.layer(int(i));
    at::Tensor v = L.vProj.weight.to(at::kDouble), o = L.oProj.weight.to(at::kDouble);
    at::Tensor vb = L.vProj.hasBias() ? L.vProj.bias.to(at::kDouble) : at::Tensor();
    std::vector<at::Tensor> vRows, oCols, vbParts;
    for (int64_t g = 0; g < kv; ++g) {
      at::Tensor rg = r2[g].contiguous();
      checkOrthogonal(rg, hd, "R2 of layer " + std::to_string(i));
      rg = rg.to(v.device());
      vRows.push_back(rg.t().matmul(v.slice(0, g * hd, (g + 1) * hd)));
      if (vb.defined()) vbParts.push_back(vb.slice(0, g * hd, (g + 1) * hd).unsqueeze(0).matmul(rg).squeeze(0));
    }
    for (int64_t h = 0; h < kv * groups; ++h) {
      const int64_t g = h / groups;  // query head h reads KV head h / groups (repeat_kv)
      oCols.push_back(o.slice(1, h * hd, (h + 1) * hd).matmul(r2[g].to(o.device())));
    }
    L.vProj.weight = at::cat(vRows, 0).to(L.vProj.weight.scalar_type());
    if (vb.defined()) L.vProj.bias = at::cat(vbParts, 0).to(L.vProj.bias.scalar_type());
    L.oProj.weight = at::cat(oCols, 1).to(L.oProj.weight.scalar_type());
  }

  if (plan.onlineR4) {
    auto had = std::make_shared<HadamardMatrix>(c.intermediateSize);
    for (int i = 0; i < model.numLayers(); ++i) {
      Linear& down = model.layer(i).downProj;
      down.weight = had->apply(down.weight.to(at::kDouble)).to(down.weight.scalar_type());
      down.appendInputTransform([had](const at::Tensor& x) { return had->apply(x); });
    }
  }
  if (plan.onlineR3) {
    auto had = std::make_shared<HadamardMatrix>(hd);
    for (int i = 0; i < model.numLayers(); ++i) {
      DecoderLayer& L = model.layer(i);
      QkTransform previous = L.qkTransform;
      L.qkTransform = [had, previous](const at::Tensor& q, const at::Tensor& k) {
        auto qk = previous ? previous(q, k) : std::make_pair(q, k);
        return std::make_pair(had->apply(qk.first), had->apply(qk.second));
      };
    }
  }
  model.validate();
}

}  // namespace jq
