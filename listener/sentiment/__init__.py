"""Sentiment: text normalisation, scorers (learned and VADER), batching, corrected totals."""
