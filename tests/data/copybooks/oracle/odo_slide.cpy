      * Two tables whose sizes are in the record (OCCURS DEPENDING ON)
      * with items after each: IBM places an item after such a table
      * after its last entry (GnuCOBOL 3.1 does too with -fodoslide).
       01  SLIDE-REC.
           05  SL-ID                   PIC X(4).
           05  SL-N-ITEMS              PIC 9(2).
           05  SL-N-NOTES              PIC S9(3) COMP-3.
           05  SL-ITEM OCCURS 0 TO 4 TIMES DEPENDING ON SL-N-ITEMS.
               10  SL-SKU              PIC X(3).
               10  SL-QTY              PIC S9(4) COMP.
           05  SL-MID                  PIC X(2).
           05  SL-NOTE PIC X(2) OCCURS 1 TO 3 DEPENDING ON SL-N-NOTES.
           05  SL-TOTAL                PIC S9(7)V99 COMP-3.
