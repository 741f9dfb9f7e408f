"""The application layer: what each step and each service does, callable without HTTP.

No FastAPI, SQLAlchemy or Celery here (a test checks it): the side effects
come in through :mod:`simkyc.services.ports`, bundled in a
:class:`~simkyc.services.context.ServiceContext`.
"""
