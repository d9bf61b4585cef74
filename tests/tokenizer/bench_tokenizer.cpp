// Speed check and id dump for jq::Tokenizer (not a test):
//   bench_tokenizer TOKENIZER TEXTFILE                 encode the whole file, print bytes, ids, seconds, MB/s
//   bench_tokenizer TOKENIZER TEXTFILE --nul OUT [--special]
//                                                      TEXTFILE holds NUL-separated texts; writes one line of
//                                                      comma-separated ids per text to OUT (for comparisons)
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/Error.h"
#include "tokenizer/Tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_tokenizer TOKENIZER TEXTFILE [--nul OUT [--special]]\n";
    return 2;
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const jq::Tokenizer tok = jq::Tokenizer::fromFile(argv[1]);
    const double load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ifstream in(argv[2], std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (argc >= 5 && std::string(argv[3]) == "--nul") {
      const bool special = argc >= 6 && std::string(argv[5]) == "--special";
      std::ofstream out(argv[4]);
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\0', start);
        if (end == std::string::npos) end = text.size();
        const auto ids = tok.encode(text.substr(start, end - start), special);
        out << '[';
        for (size_t i = 0; i < ids.size(); ++i) out << (i ? "," : "") << ids[i];
        out << "]\n";
        start = end + 1;
      }
      return 0;
    }
    for (const char* pass : {"cold", "warm"}) {
      const auto t1 = std::chrono::steady_clock::now();
      const auto ids = tok.encode(text, false);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      std::printf("%s: load %.3f s; %s encode of %zu bytes -> %zu ids in %.3f s (%.2f MB/s)\n", argv[1], load, pass,
                  text.size(), ids.size(), s, double(text.size()) / 1e6 / s);
    }
  } catch (const jq::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
