// Trace signatures: traces of the same kind and events (service and name, in time order) share
// one, others do not; a trace whose events changed since has none; a verdict of "something"
// wins over "nothing".
#include "analysis/trace_signatures.h"

#include <gtest/gtest.h>

#include <vector>

#include "analysis/names.h"

namespace logweave::internal {
namespace {

struct Trace {
  uint32_t kind;
  std::vector<Ev> events;
  std::vector<uint32_t> services;

  TraceFacts Facts() const {
    TraceFacts f;
    f.kind = kind;
    f.events = events;
    f.services = services;
    f.indexed_events = static_cast<uint32_t>(events.size());
    return f;
  }
};

Trace Checkout(int64_t start, uint32_t last_name) {
  return Trace{
      7, {Ev{start, 1, 0, 10}, Ev{start + 5, 2, 1, 20}, Ev{start + 9, 3, 0, last_name}}, {0, 1}};
}

TEST(TraceSignaturesTest, TheSameShapeSharesASignatureWhateverItsTimes) {
  TraceSignatures signatures(/*shards=*/2, /*threads=*/2);
  const auto a = signatures.Record(0, 0, 0, Checkout(100, 11).Facts());
  const auto b = signatures.Record(0, 0, 1, Checkout(900, 11).Facts());
  const auto c = signatures.Record(0, 0, 3, Checkout(900, 12).Facts());  // number 2: none
  EXPECT_TRUE(a.second);
  EXPECT_EQ(b.first, a.first);
  EXPECT_FALSE(b.second);
  EXPECT_NE(c.first, a.first);
  EXPECT_TRUE(c.second);
  Trace other_kind = Checkout(100, 11);
  other_kind.kind = 8;
  EXPECT_NE(signatures.Record(0, 0, 4, other_kind.Facts()).first, a.first);
  // The same shape met by another thread (in another shard): a signature of its own there.
  const auto d = signatures.Record(1, 1, 0, Checkout(100, 11).Facts());
  EXPECT_TRUE(d.second);
  signatures.Seal();

  const uint32_t sig = signatures.Of(0, 0, 3);
  ASSERT_NE(sig, TraceSignatures::kNone);
  EXPECT_EQ(signatures.Of(0, 1, 3), sig);
  EXPECT_NE(signatures.Of(0, 3, 3), sig);
  EXPECT_NE(signatures.Of(1, 0, 3), sig);
  EXPECT_NE(signatures.Of(1, 0, 3), TraceSignatures::kNone);
  // Not recorded, or changed since (another event): none.
  EXPECT_EQ(signatures.Of(0, 2, 3), TraceSignatures::kNone);
  EXPECT_EQ(signatures.Of(0, 1, 4), TraceSignatures::kNone);
  EXPECT_EQ(signatures.Of(0, 99, 3), TraceSignatures::kNone);
  EXPECT_EQ(signatures.Of(5, 0, 3), TraceSignatures::kNone);
}

TEST(TraceSignaturesTest, ATraceOfTooManyEventsToRecordIsRead) {
  TraceSignatures signatures(1, 1);
  Trace huge{7, {}, {0}};
  for (int i = 0; i < 70000; ++i) huge.events.push_back(Ev{i, static_cast<uint64_t>(i), 0, 10});
  signatures.Record(0, 0, 0, huge.Facts());
  signatures.Record(0, 0, 1, Checkout(100, 11).Facts());
  signatures.Seal();
  EXPECT_EQ(signatures.Of(0, 0, 70000), TraceSignatures::kNone);
  EXPECT_NE(signatures.Of(0, 1, 3), TraceSignatures::kNone);
}

TEST(TraceSignaturesTest, SomethingFoundWinsOverNothingForGood) {
  TraceSignatures signatures(1, 1);
  signatures.Record(0, 0, 0, Checkout(100, 11).Facts());
  signatures.Record(0, 0, 1, Checkout(100, 12).Facts());
  signatures.Seal();
  const uint32_t clean = signatures.Of(0, 0, 3), dirty = signatures.Of(0, 1, 3);
  EXPECT_FALSE(signatures.Clean(clean));  // not judged yet
  signatures.Judged(clean, true);
  EXPECT_TRUE(signatures.Clean(clean));
  signatures.Judged(dirty, false);
  signatures.Judged(dirty, true);
  EXPECT_FALSE(signatures.Clean(dirty));
  signatures.Judged(clean, false);
  EXPECT_FALSE(signatures.Clean(clean));
  EXPECT_FALSE(signatures.Clean(TraceSignatures::kNone));
}

// Signatures rely on a name's id depending on the name alone: once a service's table of event
// names is full, a thread whose cache was refused a name still finds the names that another
// thread added before.
TEST(TraceSignaturesTest, ANameHasItsIdOnEveryThreadOnceItsScopeIsFull) {
  SharedNames names(/*max_per_scope=*/2);
  NameCache first(&names), second(&names);
  const uint32_t charge = first.Id(3, "charge");
  EXPECT_NE(first.Id(3, "refund"), kNoId);
  EXPECT_EQ(second.Id(3, "void"), kNoId);  // the scope is full
  EXPECT_EQ(second.Id(3, "charge"), charge);
  EXPECT_EQ(second.Id(3, "void"), kNoId);
  EXPECT_NE(second.Id(4, "void"), kNoId);  // other scopes are not
}

}  // namespace
}  // namespace logweave::internal
