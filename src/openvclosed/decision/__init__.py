"""The decision layer: assumptions, workloads, designs, selection, breakeven and recommend."""
