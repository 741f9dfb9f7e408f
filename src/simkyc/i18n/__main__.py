"""``python -m simkyc.i18n {template,update,check}``: see :mod:`simkyc.i18n.tool`."""

from simkyc.i18n.tool import main

raise SystemExit(main())
