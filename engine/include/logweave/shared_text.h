// SharedText: an immutable string that many values hold at once (a source's
// name, a log template's text), one buffer for all copies.
#ifndef LOGWEAVE_SHARED_TEXT_H_
#define LOGWEAVE_SHARED_TEXT_H_

#include <compare>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace logweave {

// Reads as a const std::string; copies share the text (16 bytes each, no
// allocation). Thread-safe as std::shared_ptr is: copies may be made and read
// on any threads at once. Empty by default.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text)  // NOLINT(google-explicit-constructor): reads as a string
      : text_(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text))) {}
  SharedText(std::string_view text)  // NOLINT(google-explicit-constructor)
      : SharedText(std::string(text)) {}
  SharedText(const char* text)  // NOLINT(google-explicit-constructor)
      : SharedText(std::string(text)) {}

  const std::string& str() const { return text_ != nullptr ? *text_ : Empty(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return str(); }    // NOLINT(google-explicit-constructor)

  bool empty() const { return str().empty(); }
  size_t size() const { return str().size(); }
  const char* data() const { return str().data(); }
  const char* c_str() const { return str().c_str(); }

  // Compared as strings with anything that reads as one (C++20 supplies the reversed,
  // negated and relational forms); a template, so that no argument is converted to a SharedText
  // first.
  template <typename T>
  requires(std::is_convertible_v<const T&, std::string_view> &&
           !std::is_same_v<T, SharedText>) friend bool
  operator==(const SharedText& a, const T& b) {
    return std::string_view(a.str()) == std::string_view(b);
  }
  // Copies of one text (one buffer) are equal without reading it.
  friend bool operator==(const SharedText& a, const SharedText& b) {
    return &a.str() == &b.str() || a.str() == b.str();
  }
  template <typename T>
  requires(std::is_convertible_v<const T&, std::string_view> &&
           !std::is_same_v<T, SharedText>) friend std::strong_ordering
  operator<=>(const SharedText& a, const T& b) {
    return std::string_view(a.str()) <=> std::string_view(b);
  }
  friend std::strong_ordering operator<=>(const SharedText& a, const SharedText& b) {
    return std::string_view(a.str()) <=> std::string_view(b.str());
  }
  friend std::ostream& operator<<(std::ostream& os, const SharedText& t) { return os << t.str(); }
  template <typename H>
  friend H AbslHashValue(H h, const SharedText& t) {
    return H::combine(std::move(h), std::string_view(t.str()));
  }

 private:
  static const std::string& Empty() {
    static const std::string* const kEmpty = new std::string();
    return *kEmpty;
  }

  std::shared_ptr<const std::string> text_;
};

}  // namespace logweave

#endif  // LOGWEAVE_SHARED_TEXT_H_
