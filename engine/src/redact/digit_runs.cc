#include "redact/digit_runs.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logweave::internal {
namespace {

// The plain loop, for machines without SSE2.
[[maybe_unused]] bool HasCardLikeRunPlain(std::string_view s) {
  int run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    run = InCardRun(s, i) ? run + 1 : 0;
    if (run >= kCardRunBytes) return true;
  }
  return false;
}

#if defined(__SSE2__)
// Bit i: byte i of the 64 at `p` is a digit (*digits) or a separator (*separators).
void Classify64(const char* p, uint64_t* digits, uint64_t* separators) {
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
  const __m128i space = _mm_set1_epi8(' '), dash = _mm_set1_epi8('-');
  uint64_t d = 0, sep = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i off = _mm_sub_epi8(c, zero);  // 0..9 for a digit, as unsigned bytes
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(off, nine), off);
    const __m128i is_sep = _mm_or_si128(_mm_cmpeq_epi8(c, space), _mm_cmpeq_epi8(c, dash));
    d |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(is_digit))) << (16 * k);
    sep |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(is_sep))) << (16 * k);
  }
  *digits = d;
  *separators = sep;
}
#endif

}  // namespace

bool HasCardLikeRun(std::string_view s) {
#if defined(__SSE2__)
  const size_t n = s.size();
  if (n < static_cast<size_t>(kCardRunBytes)) return false;
  const size_t words = (n + 63) / 64;
  // Word w's digits and separators; bytes past the end are neither.
  auto classify = [&](size_t w, uint64_t* digits, uint64_t* separators) {
    const size_t at = w * 64;
    if (at + 64 <= n) {
      Classify64(s.data() + at, digits, separators);
      return;
    }
    char tail[64] = {};
    std::memcpy(tail, s.data() + at, n - at);
    Classify64(tail, digits, separators);
    const uint64_t kept = (uint64_t{1} << (n - at)) - 1;  // n - at < 64
    *digits &= kept;
    *separators &= kept;
  };
  uint64_t digits = 0, separators = 0, next_digits = 0, next_separators = 0;
  classify(0, &next_digits, &next_separators);
  uint64_t previous_digits = 0;
  int carry = 0;  // set bits in a row at the top of the words before
  for (size_t w = 0; w < words; ++w) {
    digits = next_digits;
    separators = next_separators;
    if (w + 1 < words) {
      classify(w + 1, &next_digits, &next_separators);
    } else {
      next_digits = next_separators = 0;
    }
    const uint64_t digit_before = (digits << 1) | (previous_digits >> 63);
    const uint64_t digit_after = (digits >> 1) | (next_digits << 63);
    const uint64_t run = digits | (separators & digit_before & digit_after);
    previous_digits = digits;
    // Within the word: 13 set bits from some bit i (runs of 2, 4, 8, then 8 and 8 overlapping).
    uint64_t y = run & (run >> 1);
    y &= y >> 2;
    y &= y >> 4;
    if (y & (y >> 5)) return true;
    // Across the boundary: the run ending the words before and the one starting this word.
    if (run == ~uint64_t{0}) {
      carry += 64;
      if (carry >= kCardRunBytes) return true;
      continue;
    }
    if (carry + __builtin_ctzll(~run) >= kCardRunBytes) return true;
    carry = __builtin_clzll(~run);
  }
  return false;
#else
  return HasCardLikeRunPlain(s);
#endif
}

}  // namespace logweave::internal
