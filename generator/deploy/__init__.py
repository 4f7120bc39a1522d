"""``bangtin deploy``: publish a built site to S3-compatible object storage."""
