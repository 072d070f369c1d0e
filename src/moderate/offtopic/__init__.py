"""Off-topic scoring: is a comment about the article it sits under?"""
