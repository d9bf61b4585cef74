// jointquant — the command-line front end. Parses arguments, builds core requests, prints JSON.
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--version") {
    std::puts("jointquant 0.1.0");
    return 0;
  }
  std::fputs("usage: jointquant <command> [options]\n", stderr);
  return 2;
}
