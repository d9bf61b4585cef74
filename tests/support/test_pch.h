// Precompiled header shared by every test executable.
#pragma once
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <QtTest/QtTest>
#include <string>
#include <vector>
