"""deptgraph: a GraphQL knowledge graph of how a company's departments work together."""

__version__ = "0.1.0"
