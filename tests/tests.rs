// Integration tests: index.
// GraphML, GEXF, DOT, Cytoscape, node-link and HTML views; NetworkX, dot and Chromium checks.
mod viz;
