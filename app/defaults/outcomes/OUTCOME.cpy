      *****************************************************************
      * OUTCOME   LOAN OUTCOMES - MONTHLY EXTRACT OF THE LOAN SYSTEM   *
      *           RECFM=FB  LRECL=40  CODE PAGE 037 (EBCDIC)           *
      *           ONE RECORD PER LOAN THAT DEFAULTED, WAS WRITTEN OFF  *
      *           OR WAS REPAID, KEYED BY THE APPLICATION NUMBER       *
      *****************************************************************
000100 01  OC-OUTCOME-REC.
000200     05  OC-APPL-NO                  PIC X(12).
000300     05  OC-OUTCOME-DATE             PIC 9(08).
000400     05  OC-OUTCOME                  PIC X(01).
000500         88  OC-DEFAULTED            VALUE 'D'.
000600         88  OC-WRITTEN-OFF          VALUE 'W'.
000700         88  OC-REPAID               VALUE 'P'.
000800     05  OC-AMOUNT                   PIC S9(09)V99 COMP-3.
000900     05  FILLER                      PIC X(13).
