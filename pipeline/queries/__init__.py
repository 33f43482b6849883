"""Reading the graph back: named queries, page export, graph dumps for comparison, plots."""
