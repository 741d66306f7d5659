"""kg: a knowledge-graph builder for Chinese policy and news documents."""
__version__ = "0.1.0"
