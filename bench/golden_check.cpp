// Compares our forward pass and perplexity with transformers' golden data on any device and dtype:
//   jq_golden_check --golden tests/data/golden --model resources/demo-model --device cuda --dtype bfloat16
// Prints one JSON object: max |logit error| relative to the logit scale per golden tensor set, argmax
// agreement, and our perplexity beside transformers' for each seqlen. Used on the GPU machine (bench/gpu_*.sh).
#include <ATen/ATen.h>

#include <c10/core/GradMode.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/Error.h"
#include "data/EvaluationText.h"
#include "eval/PerplexityEvaluator.h"
#include "io/SafetensorsFile.h"
#include "model/LlamaModel.h"
#include "tokenizer/Tokenizer.h"

namespace {
std::string arg(int argc, char** argv, const std::string& name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return def;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string golden = arg(argc, argv, "golden", "tests/data/golden");
    const std::string modelDir = arg(argc, argv, "model", "resources/demo-model");
    const std::string dtypeName = arg(argc, argv, "dtype", "float32");
    const std::string deviceName = arg(argc, argv, "device", "cpu");
    const std::string refDevice = arg(argc, argv, "ref-device", "cpu");  // which HF perplexity to compare with
    const std::string attention = arg(argc, argv, "attention", "eager");
    jq::ModelOptions mo;
    mo.dtype = jq::modelDtypeFromName(dtypeName);
    mo.device = at::Device(deviceName);
    mo.attention = attention == "sdpa" ? jq::AttentionImpl::Sdpa : jq::AttentionImpl::Eager;
    jq::LlamaModel model = jq::LlamaModel::load(modelDir, mo);
    nlohmann::json out = {{"device", deviceName}, {"dtype", dtypeName}, {"attention", attention}};

    auto file = jq::SafetensorsFile::open(golden + "/demo_forward.safetensors");
    const std::string prefix = dtypeName == "float32" ? "fp32" : "bf16";
    c10::NoGradGuard ng;
    at::Tensor ids = file->tensor("input_ids").to(mo.device);
    jq::ForwardOptions fo;
    fo.outputHiddenStates = true;
    jq::ForwardOutput res = model.forward(ids, fo);
    at::Tensor ref = file->tensor(prefix + ".logits").to(at::kFloat);
    at::Tensor ours = res.logits.to(at::kCPU).to(at::kFloat);
    const double scale = ref.abs().max().item<double>();
    out["logits_max_abs_err_rel"] = (ours - ref).abs().max().item<double>() / scale;
    out["argmax_agreement"] = ours.argmax(-1).eq(ref.argmax(-1)).to(at::kFloat).mean().item<double>();
    for (size_t i = 0; i < res.hiddenStates.size(); ++i) {
      at::Tensor h = file->tensor(prefix + ".hidden." + std::to_string(i)).to(at::kFloat);
      at::Tensor o = res.hiddenStates[i].to(at::kCPU).to(at::kFloat);
      out["hidden_max_abs_err_rel"].push_back((o - h).abs().max().item<double>() / h.abs().max().item<double>());
    }

    const auto goldenPpl = nlohmann::json::parse(std::ifstream(golden + "/demo_perplexity.json"));
    const auto text = jq::loadEvaluationText("resources/demo-corpus/test.txt", jq::DatasetFormat::Text);
    const auto tokens = jq::Tokenizer::fromFile(modelDir + "/tokenizer.json").encode(text.text);
    for (int seqlen : {512, 2048}) {
      jq::PerplexityOptions po;
      po.seqlen = seqlen;
      po.batchSize = seqlen == 512 ? 8 : 2;
      const auto r = jq::PerplexityEvaluator(po).evaluate(model, tokens);
      const double hf = goldenPpl["results"][refDevice][dtypeName][std::to_string(seqlen)]["perplexity"];
      out["perplexity"][std::to_string(seqlen)] = {
          {"ours", r.perplexity}, {"transformers", hf}, {"rel_diff", std::abs(r.perplexity - hf) / hf},
          {"tokens_per_second", r.tokensPerSecond}};
    }
    std::cout << out.dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "jq_golden_check: " << e.what() << std::endl;
    return 1;
  }
}
