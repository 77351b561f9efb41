// A ForkVisitor for tests of the walks without a fork strategy: the child
// gets each page, block and last-level table as the parent has it, with one
// more reference, and the parent is left as it is. Records what it was
// handed.
#ifndef TTBENCH_TESTS_SHARING_VISITOR_H_
#define TTBENCH_TESTS_SHARING_VISITOR_H_

#include <utility>
#include <vector>

#include "engine/frame_pool.h"
#include "engine/table_walk.h"

namespace ttb {

class SharingVisitor final : public ForkVisitor {
 public:
  explicit SharingVisitor(FramePool& pool) : pool_(pool) {}

  void Leaves(const TableToFill& t) override {
    leaves.emplace_back(t.va, t.count);
    for (unsigned i = 0; i < t.count; ++i) t.to[i] = t.from[i];
    pool_.ShareLeaves(t.to, t.count);
  }
  void Block(VirtAddr va, Descriptor& from, Descriptor& to) override {
    blocks.push_back(va);
    pool_.ShareBlock(from.output_address());
    to = from;
  }
  void LeafTable(VirtAddr va, Descriptor& from, Descriptor& to) override {
    leaf_tables.push_back(va);
    pool_.ShareLeaves(&from, 1);
    to = from;
  }

  // Each Leaves call's VA and entry count; each block's and table's VA.
  std::vector<std::pair<VirtAddr, unsigned>> leaves;
  std::vector<VirtAddr> blocks;
  std::vector<VirtAddr> leaf_tables;

 private:
  FramePool& pool_;
};

}  // namespace ttb

#endif  // TTBENCH_TESTS_SHARING_VISITOR_H_
