#pragma once
// Marks functions shared by host code and CUDA kernels.
#if defined(__CUDACC__)
#define RMT_HD __host__ __device__
#else
#define RMT_HD
#endif
