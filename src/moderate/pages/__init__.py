"""Page splitting: a scraped page in, the article and its individual comments out."""
