"""Step draw: the verifiable random draw of communes and villages, approved by the coordinator."""
