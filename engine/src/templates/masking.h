// Masking of variable tokens for the template miner: a message is cut at whitespace and
// each token that looks like a value — a number, an id or hash with a digit in it, an IP
// address, a path or URL, a whole quoted word, the value of key=value — becomes "<*>",
// keeping the punctuation around it ("(12)," -> "(<*>),", "user=bob" -> "user=<*>").
//
//   std::vector<std::string> tokens;
//   MaskMessage("Got block blk_-12 from /10.0.0.1:50010", &tokens);
//   // {"Got", "block", "<*>", "from", "<*>"}
//
// Pure and thread-safe.
#ifndef LOGWEAVE_TEMPLATES_MASKING_H_
#define LOGWEAVE_TEMPLATES_MASKING_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace logweave::internal {

// The placeholder a variable token becomes.
inline constexpr std::string_view kWildcard = "<*>";

// Tokens read from one message at most; the rest of a longer message is one last "<*>".
inline constexpr size_t kMaxTemplateTokens = 128;

// The masked form of one whitespace-free token.
std::string MaskToken(std::string_view token);

// Cuts `message` at ASCII whitespace and masks each token into *tokens (overwritten).
void MaskMessage(std::string_view message, std::vector<std::string>* tokens);

// Whether a (masked) token holds a placeholder.
inline bool IsVariableToken(std::string_view token) {
  return token.find(kWildcard) != std::string_view::npos;
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_TEMPLATES_MASKING_H_
